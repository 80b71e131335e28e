"""What `register` refuses at start-up, so that a procedure's rules and notices never stop a
workflow at run time."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from unittest.mock import patch

import pytest

from domain.models import Notice
from domain.notifications import EVENT_AUDIENCES, EVENT_LABELS, EVENT_TYPES, audiences
from domain.policy import RULES, Rule
from domain.procedure import adopt
from tests.integration.home_visit.domain import SPEC

TABLES = (RULES, EVENT_AUDIENCES, EVENT_LABELS, EVENT_TYPES)


@pytest.fixture(autouse=True)
def tables_as_they_were():
    with ExitStack() as tables:
        for table in TABLES:
            tables.enter_context(patch.dict(table))
        yield


def sizes() -> list[int]:
    return [len(t) for t in TABLES]


def test_a_procedure_brings_its_rules_and_notices():
    adopt(SPEC)
    assert RULES["home_visit_held"].source.endswith("binnen 3 werkdagen")
    assert EVENT_TYPES["home_visit_planned"] == "huisbezoek.gepland"
    before = sizes()
    adopt(SPEC)  # the same spec again (a second app in one process) changes nothing
    assert sizes() == before


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"rules": (Rule(key="safety_assessment", label="x", source="y"),)}, "safety_assessment"),
        (
            {"notices": (replace(SPEC.notices[0], audiences=("buurman",)),)},
            "onbekende ontvangers ['buurman']",
        ),
        (
            {"notices": (replace(SPEC.notices[0], event_type="huisverbod.opgelegd"),)},
            "huisverbod.opgelegd",
        ),
        (
            {"notices": (replace(SPEC.notices[0], subject="huisverbod_imposed"),)},
            "huisverbod_imposed",
        ),
        ({"page": Path("/nergens/huisbezoek.html")}, "paginadeel"),
    ],
)
def test_a_clash_or_a_notice_nobody_can_receive_stops_the_start(change, named):
    before = sizes()
    with pytest.raises(ValueError, match=named.replace("[", r"\[")):
        adopt(replace(SPEC, **change))
    assert sizes() == before  # nothing of the refused procedure was merged


def test_a_notice_of_no_table_reaches_the_coordinator():
    notice = Notice(key="k", case_id="c", region="r", kind="event", recipient="x", subject="?")
    assert audiences(notice) == ("regional_coordinator",)
