"""The deadline calculator: every date a rule yields from a moment, computed by the very
policy the workflows use, each with its article. For the jurists of a mayor's office and of
Veilig Thuis (`ketenregie deadlines`, `GET /v1/deadlines/{rule}`, the page /termijnen)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel

from domain.policy import Policy


class DueDate(BaseModel):
    key: str
    due_at: datetime
    article: str


def _huisverbod(start: datetime, p: Policy) -> list[DueDate]:
    hv = p.huisverbod
    return [
        DueDate(key="end", due_at=hv.ban_end(start), article="Wth art. 2 lid 1 (ten days)"),
        DueDate(key="cap", due_at=hv.max_end(start), article="Wth art. 9 lid 1 (four weeks)"),
        DueDate(
            key="contact_address",
            due_at=hv.due(start, "contact_address")[0],
            article="Wth art. 2 lid 6 (within 24 hours)",
        ),
        DueDate(
            key="help_started",
            due_at=hv.due(start, "help_started")[0],
            article="Wth art. 2 lid 1 with MvT 30 657 nr. 3; Wmo 2015 art. 4.1.1",
        ),
        DueDate(
            key="appeal_term",
            due_at=hv.appeal_until(start),
            article="Awb art. 6:7 and 6:8 (six weeks); Atw art. 1",
        ),
    ]


def _interim_relief(start: datetime, p: Policy) -> list[DueDate]:
    due = p.huisverbod.due(start, "interim_relief_hearing")[0]
    return [DueDate(key="hearing", due_at=due, article="Wth art. 6 (heard within 3 days)")]


def _veilig_thuis(key: str, article: str) -> Callable[[datetime, Policy], list[DueDate]]:
    def rule(start: datetime, p: Policy) -> list[DueDate]:
        return [DueDate(key=key, due_at=p.veilig_thuis.due(start, key)[0], article=article)]

    return rule


def _measure(kind: str, article: str) -> Callable[[datetime, Policy], list[DueDate]]:
    def rule(start: datetime, p: Policy) -> list[DueDate]:
        end = p.protection.max_end(kind, start)
        dates = [DueDate(key="end", due_at=end, article=article)] if end else []
        if kind == "machtiging_uithuisplaatsing":
            lapses = p.protection.due(start, "placement_used")[0]
            dates.append(DueDate(key="lapses_unused", due_at=lapses, article="BW 1:265c lid 3"))
        return dates

    return rule


RULES: dict[str, Callable[[datetime, Policy], list[DueDate]]] = {
    "huisverbod": _huisverbod,
    "interim_relief": _interim_relief,
    "safety_assessment": _veilig_thuis(
        "safety_assessment", "Handelingsprotocol Veilig Thuis 2019: 5 working days (Atw calendar)"
    ),
    "investigation": _veilig_thuis(
        "investigation", "Handelingsprotocol Veilig Thuis 2019: onderzoek within 10 weeks"
    ),
    "voorlopige_ots": _measure("voorlopige_ondertoezichtstelling", "BW 1:257 lid 1 (3 months)"),
    "ots": _measure("ondertoezichtstelling", "BW 1:258 lid 1 (one year)"),
    "machtiging_uithuisplaatsing": _measure(
        "machtiging_uithuisplaatsing", "BW 1:265c lid 1 (one year)"
    ),
}


class UnknownRule(ValueError):
    pass


def compute(rule: str, start: datetime, policy: Policy | None = None) -> list[DueDate]:
    """Every date `rule` yields from `start` (an aware time), on `policy` (the default one
    unless a region's is given)."""
    if rule not in RULES:
        raise UnknownRule(f"unknown rule {rule!r}; known: {', '.join(RULES)}")
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("the time needs a UTC offset, e.g. 2026-10-20T20:00:00+02:00")
    return RULES[rule](start, policy or Policy())
