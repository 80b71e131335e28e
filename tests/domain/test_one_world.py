"""The huisverbod is a procedure of the catalogue like the others: no code outside its own
modules compares a kind, a workflow id's prefix or a notice's source with "huisverbod"
(what differs is a value of its spec: `domain.huisverbod.SPEC`)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ("api", "services", "workflows", "activities", "store", "domain", "workers", "infra")
OWN = {  # the huisverbod's own modules, where its name is its own business
    "domain/huisverbod.py",
    "domain/huisverbod_order.py",
    "domain/huisverbod_policy.py",
    "workflows/huisverbod.py",
    "services/huisverbod.py",
    "store/huisverboden.py",
    "api/routes/huisverbod.py",
}
KIND = "huisverbod"


def _names_the_kind(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return node.value == KIND
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_names_the_kind(e) for e in node.elts)
    return False


def branches_on_the_kind(source: str) -> list[int]:
    """The lines that compare something with the huisverbod's kind (==, !=, in, not in)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Compare)
        and any(_names_the_kind(side) for side in (node.left, *node.comparators))
    ]


def test_the_check_sees_a_branch():
    assert branches_on_the_kind('if kind == "huisverbod":\n    pass') == [1]
    assert branches_on_the_kind('x = kind in ("huisverbod", "path")') == [1]
    assert branches_on_the_kind('x = {"huisverbod": 1}') == []


def test_no_code_outside_the_huisverbod_branches_on_its_kind():
    found = {
        rel: lines
        for package in PRODUCTION
        for path in sorted((ROOT / package).rglob("*.py"))
        if (rel := str(path.relative_to(ROOT))) not in OWN
        and (lines := branches_on_the_kind(path.read_text(encoding="utf-8")))
    }
    assert found == {}
