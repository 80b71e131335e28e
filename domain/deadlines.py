"""The deadline calculator: every date a rule yields from a moment, computed by the very
policy the workflows use, each with its article. For the jurists of a mayor's office and of
Veilig Thuis (`ketenregie deadlines`, `GET /v1/deadlines/{rule}`, the page /termijnen)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel

from domain.policy import RULES as RULES_OF_POLICY
from domain.policy import Policy


class DueDate(BaseModel):
    key: str
    due_at: datetime
    article: str


def _huisverbod(start: datetime, p: Policy) -> list[DueDate]:
    hv = p.huisverbod
    return [
        DueDate(key="end", due_at=hv.ban_end(start), article="Wth art. 2 lid 1 (tien dagen)"),
        DueDate(key="cap", due_at=hv.max_end(start), article="Wth art. 9 lid 1 (vier weken)"),
        DueDate(
            key="contact_address",
            due_at=hv.due(start, "contact_address")[0],
            article="Wth art. 2 lid 6 (binnen 24 uur)",
        ),
        DueDate(
            key="help_started",
            due_at=hv.due(start, "help_started")[0],
            article=RULES_OF_POLICY["help_started"].source,
        ),
        DueDate(
            key="appeal_term",
            due_at=hv.appeal_until(start),
            article="Awb art. 6:7 en 6:8 (zes weken); Atw art. 1",
        ),
    ]


def _interim_relief(start: datetime, p: Policy) -> list[DueDate]:
    due = p.huisverbod.due(start, "interim_relief_hearing")[0]
    return [DueDate(key="hearing", due_at=due, article="Wth art. 6 (behandeling binnen 3 dagen)")]


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
        "safety_assessment",
        "Handelingsprotocol Veilig Thuis 2019: 5 werkdagen (kalender van de Atw)",
    ),
    "investigation": _veilig_thuis(
        "investigation", "Handelingsprotocol Veilig Thuis 2019: onderzoek binnen 10 weken"
    ),
    "voorlopige_ots": _measure("voorlopige_ondertoezichtstelling", "BW 1:257 lid 1 (3 maanden)"),
    "ots": _measure("ondertoezichtstelling", "BW 1:258 lid 1 (een jaar)"),
    "machtiging_uithuisplaatsing": _measure(
        "machtiging_uithuisplaatsing", "BW 1:265c lid 1 (een jaar)"
    ),
}


# Dutch, for people: each rule of the calculator by what it runs from, and each date it yields
RULE_NAMES = {
    "huisverbod": "Tijdelijk huisverbod (vanaf het opleggen)",
    "interim_relief": "Voorlopige voorziening (vanaf ontvangst door de rechter)",
    "safety_assessment": "Veiligheidsbeoordeling (vanaf de melding)",
    "investigation": "Onderzoek Veilig Thuis (vanaf de start)",
    "voorlopige_ots": "Voorlopige ondertoezichtstelling (vanaf de uitspraak)",
    "ots": "Ondertoezichtstelling (vanaf de uitspraak)",
    "machtiging_uithuisplaatsing": "Machtiging uithuisplaatsing (vanaf de uitspraak)",
}
DATE_NAMES = {
    "end": "einde",
    "cap": "uiterste einde na verlenging",
    "contact_address": "adres of contact opgegeven",
    "help_started": "hulp gestart",
    "appeal_term": "einde beroepstermijn",
    "hearing": "behandeling door de rechter",
    "safety_assessment": "veiligheidsbeoordeling",
    "investigation": "onderzoek afgerond",
    "lapses_unused": "vervalt als niet gebruikt",
}


class UnknownRule(ValueError):
    pass


def compute(rule: str, start: datetime, policy: Policy | None = None) -> list[DueDate]:
    """Every date `rule` yields from `start` (an aware time), on `policy` (the default one
    unless a region's is given)."""
    if rule not in RULES:
        raise UnknownRule(f"onbekende regel {rule!r}; bekend: {', '.join(RULES)}")
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(
            "het tijdstip heeft een verschil met UTC nodig, bijvoorbeeld 2026-10-20T20:00:00+02:00"
        )
    return RULES[rule](start, policy or Policy())
