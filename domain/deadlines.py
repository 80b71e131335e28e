"""The deadline calculator: every date a rule yields from a moment, computed by the very
policy the workflows use, each with its article. For the jurists of a mayor's office and of
Veilig Thuis (`ketenregie deadlines`, `GET /v1/deadlines/{rule}`, the page /termijnen).

Each procedure brings its own rules of the calculator (`CalculatorRule`, beside its
periods); the catalogue (`domain.catalogue`) gathers them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel

if TYPE_CHECKING:
    from domain.chain_policy import Policy


class DueDate(BaseModel):
    key: str
    due_at: datetime
    article: str


@dataclass(frozen=True)
class CalculatorRule:
    """One rule of the calculator: `key` names it in the API and on the command line,
    `name` says in Dutch what it runs from, `dates` yields its dates on a policy and
    `date_names` says each of them in Dutch."""

    key: str
    name: str
    dates: Callable[[datetime, Policy], list[DueDate]]
    date_names: Mapping[str, str] = field(default_factory=dict)


LAST_YEAR = 9998  # Python's calendar ends with 9999


class UnknownRule(ValueError):
    pass


def compute(rule: CalculatorRule, start: datetime, policy: Policy) -> list[DueDate]:
    """Every date `rule` yields from `start` (an aware time), on `policy`."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(
            "het tijdstip heeft een verschil met UTC nodig, bijvoorbeeld 2026-10-20T20:00:00+02:00"
        )
    if start.year >= LAST_YEAR:  # the longest rule adds a year and some days
        raise ValueError(
            "het tijdstip ligt zo ver in de toekomst dat de termijnen buiten de kalender vallen"
        )
    return rule.dates(start, policy)
