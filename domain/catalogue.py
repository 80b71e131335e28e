"""The catalogue: every procedure, deadline rule, notice and rule of the deadline calculator
of the chain, gathered from the parts that bring them and checked once.

Each procedure brings its own (`ProcedureSpec`: its rules, notices, page and calculator
rules), and so do the case and the advice question (`Tables`). `build` checks them as one
(a clash, or a notice nobody can receive, is refused before any workflow runs) and returns
a frozen `Catalogue`: nothing is written anywhere after import. `CATALOGUE` is the one of
this release; the API, the worker and the command line are given it, and a test builds its
own from a list of parts of its choosing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from domain import acute_safety, advice, case, child_protection, huisverbod, mda, safety_plan
from domain.access import ORG_KIND_NAMES
from domain.chain_policy import Policy
from domain.deadlines import CalculatorRule, DueDate, UnknownRule, compute
from domain.notifications import DEADLINE_TYPES, PARTNER
from domain.policy import Rule
from domain.procedure import NoticeSpec, ProcedureSpec, Tables

Part = ProcedureSpec | Tables


@dataclass(frozen=True)
class Catalogue:
    """What the parts of the chain bring, as read-only tables (see `build`)."""

    parts: tuple[Part, ...]
    procedures: Mapping[str, ProcedureSpec]  # kind -> spec
    rules: Mapping[str, Rule]  # deadline key -> its rule, with its article
    audiences: Mapping[tuple[str, str], tuple[str, ...]]  # (notice kind, subject) -> whom
    labels: Mapping[str, str]  # notice subject -> its Dutch title
    event_types: Mapping[str, str]  # notice subject -> CloudEvents type after `nl.ketenregie.`
    calculator: Mapping[str, CalculatorRule]  # rule of the calculator -> its dates
    date_names: Mapping[str, str]  # a date of the calculator -> its Dutch name

    @property
    def paths(self) -> list[ProcedureSpec]:
        """The procedures started by the case's `start_path` (the generic routes and forms)."""
        return [p for p in self.procedures.values() if p.is_path]

    def case_scoped(self) -> tuple[str, ...]:
        """The prefixes of the workflow ids of a case's children (`<prefix>-<case>-<id>`)."""
        return ("notice", *sorted({p.id_prefix for p in self.procedures.values()}))

    def calculate(self, rule: str, start: datetime, policy: Policy | None = None) -> list[DueDate]:
        """Every date the calculator's `rule` yields from `start`, on `policy` (the default
        one unless a region's is given)."""
        found = self.calculator.get(rule)
        if found is None:
            raise UnknownRule(
                f"onbekende regel {rule!r}; bekend: {', '.join(sorted(self.calculator))}"
            )
        return compute(found, start, policy or Policy())


def _frozen(table: dict) -> Mapping[Any, Any]:
    return MappingProxyType(dict(table))


def _notice_problems(n: NoticeSpec, audiences: dict, labels: dict, types: dict) -> list[str]:
    problems = []
    if audiences.get((n.kind, n.subject), n.audiences) != n.audiences or (
        labels.get(n.subject, n.label) != n.label
    ):
        problems.append(f"bericht {n.subject!r} bestaat al")
    if any(t == n.event_type and s != n.subject for s, t in types.items()):
        problems.append(f"CloudEvents-type {n.event_type!r} bestaat al")
    if not n.label or not n.audiences:
        problems.append(f"bericht {n.subject!r} heeft geen titel of ontvangers")
    if unknown := [a for a in n.audiences if a != PARTNER and a not in ORG_KIND_NAMES]:
        problems.append(f"bericht {n.subject!r} gaat naar onbekende ontvangers {unknown}")
    return problems


def build(parts: Iterable[Part]) -> Catalogue:
    """The catalogue of `parts`, checked: a kind, URL segment, deadline, notice, CloudEvents
    type or rule of the calculator that two parts claim differently, a rule without its
    source, a notice without title or receivers, and a page that does not exist stop the
    process at start-up (a `ValueError` naming the part), never a workflow at run time."""
    parts = tuple(parts)
    procedures: dict[str, ProcedureSpec] = {}
    rules: dict[str, Rule] = {}
    audiences: dict[tuple[str, str], tuple[str, ...]] = {}
    labels: dict[str, str] = {}
    types: dict[str, str] = dict(DEADLINE_TYPES)
    calculator: dict[str, CalculatorRule] = {}
    date_names: dict[str, str] = {}
    for part in parts:
        problems = []
        if isinstance(part, ProcedureSpec) and (
            part.kind in procedures or any(p.slug == part.slug for p in procedures.values())
        ):
            problems.append(f"een procedure {part.kind!r} ({part.slug}) bestaat al")
        problems += [
            f"termijn {r.key!r} bestaat al" for r in part.rules if rules.get(r.key, r) != r
        ]
        problems += [
            f"termijn {r.key!r} heeft geen naam of bron" for r in part.rules if not r.source
        ]
        for n in part.notices:
            problems += _notice_problems(n, audiences, labels, types)
        if part.page is not None and not part.page.is_file():
            problems.append(f"paginadeel {part.page} bestaat niet")
        for c in part.calculator:
            if calculator.get(c.key, c) != c:
                problems.append(f"rekenregel {c.key!r} bestaat al")
            problems += [
                f"datum {k!r} heet al {date_names[k]!r}"
                for k, v in c.date_names.items()
                if date_names.get(k, v) != v
            ]
        if problems:
            raise ValueError(f"procedure {part.kind!r}: " + "; ".join(problems))
        if isinstance(part, ProcedureSpec):
            procedures[part.kind] = part
        rules.update({r.key: r for r in part.rules})
        for n in part.notices:
            audiences[(n.kind, n.subject)] = n.audiences
            labels[n.subject] = n.label
            types[n.subject] = n.event_type
        for c in part.calculator:
            calculator[c.key] = c
            date_names.update(c.date_names)
    return Catalogue(
        parts=parts,
        procedures=_frozen(procedures),
        rules=_frozen(rules),
        audiences=_frozen(audiences),
        labels=_frozen(labels),
        event_types=_frozen(types),
        calculator=_frozen(calculator),
        date_names=_frozen(date_names),
    )


# The parts of this release: the case, the advice question, then every procedure (a new one
# is its own modules plus one line here and its workflow's line in `workflows.registry`).
PARTS: tuple[Part, ...] = (
    case.TABLES,
    advice.TABLES,
    huisverbod.SPEC,
    child_protection.SPEC,
    mda.SPEC,
    acute_safety.SPEC,
    safety_plan.SPEC,
)
CATALOGUE = build(PARTS)
