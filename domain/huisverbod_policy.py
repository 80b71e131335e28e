"""The huisverbod's deadlines with their articles, and its rules of the deadline calculator
(Wet tijdelijk huisverbod; the periods themselves: `HuisverbodPolicy`)."""

from __future__ import annotations

from datetime import datetime

from domain.deadlines import CalculatorRule, DueDate
from domain.policy import Policy, Rule

DEADLINES = {
    r.key: r
    for r in (
        Rule(
            key="mayor_decision",
            label="beslissing van de burgemeester over het verzoek",
            source="Wth art. 2 lid 1; escalatietermijn van ketenregie",
        ),
        Rule(
            key="contact_address",
            label="uithuisgeplaatste geeft een adres of contactgegevens op",
            source="Wth art. 2 lid 6 (binnen 24 uur na het opleggen)",
        ),
        Rule(
            key="help_started",
            label="Veilig Thuis start hulp voor het gezin",
            source="geen wettelijke termijn: de tien dagen van Wth art. 2 lid 1 zijn volgens de "
            "MvT (30 657, nr. 3) bedoeld om hulp te laten starten; Wmo 2015 art. 4.1.1",
        ),
        Rule(
            key="interim_relief_hearing",
            label="de rechter behandelt het verzoek om een voorlopige voorziening",
            source='Wth art. 6 lid 1 sub a: "binnen drie dagen"; Atw art. 1 lid 1 en art. 2 (Wth '
            "art. 13 sluit de Atw alleen uit voor art. 2 lid 1 en art. 9 lid 1): de termijn omvat "
            "ten minste twee dagen die geen zaterdag, zondag of feestdag zijn, en eindigt de "
            "laatste dag op zo'n dag, dan op de eerstvolgende werkdag",
        ),
        Rule(
            key="interim_relief_ruling",
            label="de rechter doet uitspraak op het verzoek om een voorlopige voorziening",
            source='Wth art. 6 lid 1 sub b: "onmiddellijk, of uiterlijk binnen 24 uur" na de '
            "behandeling",
        ),
    )
}


def _ban(start: datetime, p: Policy) -> list[DueDate]:
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
            article=DEADLINES["help_started"].source,
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
        DueDate(key="hearing", due_at=hearing, article=DEADLINES["interim_relief_hearing"].source),
        DueDate(
            key="ruling_after_latest_hearing",
            due_at=p.huisverbod.due(hearing, "interim_relief_ruling")[0],
            article=DEADLINES["interim_relief_ruling"].source,
        ),
    ]


CALCULATOR = (
    CalculatorRule(
        key="huisverbod",
        name="Tijdelijk huisverbod (vanaf het opleggen)",
        dates=_ban,
        date_names={
            "end": "einde",
            "cap": "uiterste einde na verlenging",
            "contact_address": "adres of contact opgegeven",
            "help_started": "hulp gestart",
            "appeal_term": "einde beroepstermijn",
        },
    ),
    CalculatorRule(
        key="interim_relief",
        name="Voorlopige voorziening (vanaf ontvangst door de rechter)",
        dates=_interim_relief,
        date_names={
            "hearing": "behandeling door de rechter",
            "ruling_after_latest_hearing": "uitspraak na een behandeling op het laatste moment",
        },
    ),
)
