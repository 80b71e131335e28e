"""The case's own commands beside those in `domain.models`: consent refused
(Toestemmingsvereiste voor hulp bij kindermishandeling)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from domain.models import AwareDatetime, Ref, Strict
from domain.policy import RuleViolation, age_on

ConsentPath = Literal[
    "help_with_consent_of_the_child",
    "veilig_thuis_melding",
    "beschermtafel",
    "raad_voor_de_kinderbescherming",
    "mda",
]
CONSENT_PATH_LABELS = {
    "help_with_consent_of_the_child": "help with the child's own consent (16 or older)",
    "veilig_thuis_melding": "Veilig Thuis continues without the parents' consent (meldrecht)",
    "beschermtafel": "referral to the beschermtafel",
    "raad_voor_de_kinderbescherming": "verzoek tot onderzoek to the Raad voor de Kinderbescherming",
    "mda": "referral to MDA++",
}
CHILD_CONSENT_AGE = 16  # WGBO, BW 7:447 lid 1; Jeugdwet art. 7.3.4 lid 1


class ConsentRefusedCmd(Strict):
    """Parents refused consent for help; the case records it and the path taken instead."""

    child_ref: Ref
    refused_by: Literal["one_parent", "both_parents", "guardian"]
    path: ConsentPath
    at: AwareDatetime | None = None


def check_child_consent(birth_date: date | None, on: date) -> None:
    """Help on the child's own consent needs a child of 16 or older (BW 7:447 lid 1)."""
    if birth_date is None:
        raise RuleViolation("the child's birth date is not known: its own consent cannot count")
    if age_on(birth_date, on) < CHILD_CONSENT_AGE:
        raise RuleViolation(
            f"the child is {age_on(birth_date, on)}: from {CHILD_CONSENT_AGE} a child consents "
            "to help on its own (BW 7:447 lid 1, Jeugdwet art. 7.3.4)"
        )
