"""Every `workflow.patched` name comes from the catalogue (`workflows.patches`), which says when
each may go: a new literal, or an entry no workflow uses, fails here."""

from __future__ import annotations

import ast
from pathlib import Path

from workflows import patches

WORKFLOWS = Path(patches.__file__).parent
HISTORIES = Path(__file__).parents[1] / "histories"


def _patch_arguments() -> list[tuple[str, ast.expr]]:
    """(file:line, argument) of every `workflow.patched(...)` and `workflow.deprecate_patch(...)`."""
    found = []
    for path in sorted(WORKFLOWS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("patched", "deprecate_patch")
            ):
                found.append((f"{path.name}:{node.lineno}", node.args[0]))
    return found


def test_every_patch_name_is_a_constant_of_the_catalogue():
    constants = {k: v for k, v in vars(patches).items() if isinstance(v, str) and k.isupper()}
    not_from_catalogue = [
        (where, ast.unparse(arg))
        for where, arg in _patch_arguments()
        if not (isinstance(arg, ast.Name) and arg.id in constants)
    ]
    assert not_from_catalogue == []
    assert set(constants.values()) == set(patches.CATALOGUE)


def test_every_patch_in_the_catalogue_is_used():
    used = {getattr(patches, arg.id) for _, arg in _patch_arguments() if isinstance(arg, ast.Name)}
    assert used == set(patches.CATALOGUE)


def test_each_entry_says_why_since_when_and_names_only_recorded_histories():
    recorded = {p.stem for p in HISTORIES.glob("*.json")}
    for patch in patches.CATALOGUE.values():
        assert patch.why and patch.since
        assert set(patch.old_histories) <= recorded, patch.name
