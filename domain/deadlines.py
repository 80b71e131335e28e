"""The deadline calculator: every date a rule yields from a moment, computed by the very
policy the workflows use, each with its article. For the jurists of a mayor's office and of
Veilig Thuis (`ketenregie deadlines`, `GET /v1/deadlines/{rule}`, the page /termijnen)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel

from domain.child_protection import DEADLINES as PROTECTION
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
    """From the request's receipt: the hearing, and the ruling after a hearing at the last
    moment the hearing may take place."""
    hearing = p.huisverbod.due(start, "interim_relief_hearing")[0]
    return [
        DueDate(
            key="hearing", due_at=hearing, article=RULES_OF_POLICY["interim_relief_hearing"].source
        ),
        DueDate(
            key="ruling_after_latest_hearing",
            due_at=p.huisverbod.due(hearing, "interim_relief_ruling")[0],
            article=RULES_OF_POLICY["interim_relief_ruling"].source,
        ),
    ]


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


def _urgent_machtiging(start: datetime, p: Policy) -> list[DueDate]:
    """A spoedmachtiging given at `start`: its latest end and the hearing of the parents."""
    return [
        DueDate(
            key="end",
            due_at=p.protection.max_end("machtiging_uithuisplaatsing", start, urgent=True),
            article="Rv art. 800 lid 2 (ten hoogste vier weken, zoals ketenregie het leest)",
        ),
        DueDate(
            key="parents_heard",
            due_at=p.protection.due(start, "urgent_hearing")[0],
            article=PROTECTION["urgent_hearing"].source,
        ),
    ]


def _ots(start: datetime, p: Policy) -> list[DueDate]:
    """An OTS from `start` for its full year, and the moment to ask for its renewal."""
    dates = _measure("ondertoezichtstelling", "BW 1:258 lid 1 (een jaar)")(start, p)
    request = p.protection.renewal_request(start, dates[0].due_at)
    if request is not None:
        dates.append(
            DueDate(
                key="renewal_request",
                due_at=request[0],
                article=PROTECTION["renewal_request"].source,
            )
        )
    return dates


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
    "voorlopige_ots": _measure("voorlopige_ondertoezichtstelling", "BW 1:257 lid 2 (3 maanden)"),
    "ots": _ots,
    "machtiging_uithuisplaatsing": _measure(
        "machtiging_uithuisplaatsing", "BW 1:265c lid 1 (een jaar)"
    ),
    "spoedmachtiging_uithuisplaatsing": _urgent_machtiging,
}


LAST_YEAR = 9998  # Python's calendar ends with 9999


# Dutch, for people: each rule of the calculator by what it runs from, and each date it yields
RULE_NAMES = {
    "huisverbod": "Tijdelijk huisverbod (vanaf het opleggen)",
    "interim_relief": "Voorlopige voorziening (vanaf ontvangst door de rechter)",
    "safety_assessment": "Veiligheidsbeoordeling (vanaf de melding)",
    "investigation": "Onderzoek Veilig Thuis (vanaf de start)",
    "voorlopige_ots": "Voorlopige ondertoezichtstelling (vanaf de uitspraak)",
    "ots": "Ondertoezichtstelling (vanaf de uitspraak)",
    "machtiging_uithuisplaatsing": "Machtiging uithuisplaatsing (vanaf de uitspraak)",
    "spoedmachtiging_uithuisplaatsing": "Spoedmachtiging uithuisplaatsing (vanaf de uitspraak)",
}
DATE_NAMES = {
    "end": "einde",
    "cap": "uiterste einde na verlenging",
    "contact_address": "adres of contact opgegeven",
    "help_started": "hulp gestart",
    "appeal_term": "einde beroepstermijn",
    "hearing": "behandeling door de rechter",
    "ruling_after_latest_hearing": "uitspraak na een behandeling op het laatste moment",
    "parents_heard": "ouders gehoord",
    "renewal_request": "verlenging vragen of laten aflopen",
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
    if start.year >= LAST_YEAR:  # the longest rule adds a year and some days
        raise ValueError(
            "het tijdstip ligt zo ver in de toekomst dat de termijnen buiten de kalender vallen"
        )
    return RULES[rule](start, policy or Policy())
