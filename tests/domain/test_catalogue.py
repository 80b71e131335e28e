"""The catalogue: a procedure brings its rules, notices, page and calculator rules; what
`build` refuses (so that a procedure never stops a workflow at run time), and that it is a
value: building one changes no other."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.catalogue import CATALOGUE, PARTS, build
from domain.models import Notice
from domain.notifications import audiences
from domain.policy import Rule
from ketenregie.cli import app as cli
from tests.integration.home_visit.domain import SPEC


def test_a_procedure_brings_its_rules_notices_page_and_calculator_rule():
    own = build((*PARTS, SPEC))
    assert own.rules["home_visit_held"].source.endswith("binnen 3 werkdagen")
    assert own.event_types["home_visit_planned"] == "huisbezoek.gepland"
    assert own.calculator["home_visit"].name == "Huisbezoek (vanaf het plannen)"
    assert own.procedures["home_visit"].page.name == "home_visit.html"
    # the release's catalogue is another value, untouched
    assert "home_visit" not in CATALOGUE.procedures and "home_visit_held" not in CATALOGUE.rules
    with pytest.raises(TypeError):
        own.rules["x"] = Rule(key="x", label="x", source="x")  # type: ignore[index]


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
        ({"calculator": (replace(SPEC.calculator[0], key="ots"),)}, "rekenregel 'ots'"),
        ({"slug": "mda"}, "bestaat al"),
    ],
)
def test_a_clash_or_a_notice_nobody_can_receive_stops_the_start(change, named):
    with pytest.raises(ValueError, match=named.replace("[", r"\[")):
        build((*PARTS, replace(SPEC, **change)))


def test_the_release_holds_every_procedure_with_its_own_ids():
    assert sorted(CATALOGUE.procedures) == [
        "acute_safety",
        "child_protection",
        "huisverbod",
        "mda",
        "safety_plan",
    ]
    huisverbod = CATALOGUE.procedures["huisverbod"]
    assert not huisverbod.is_path and huisverbod.workflow_id("c", "h") == "huisverbod-c-h"
    assert CATALOGUE.procedures["mda"].workflow_id("c", "p") == "path-c-p"
    assert CATALOGUE.case_scoped() == ("notice", "huisverbod", "path")


def test_a_notice_of_no_table_reaches_the_coordinator():
    notice = Notice(key="k", case_id="c", region="r", kind="event", recipient="x", subject="?")
    assert audiences(CATALOGUE, notice) == ("regional_coordinator",)


def test_the_command_line_lists_the_calculator_rules_of_the_catalogue_it_is_given():
    own = build((*PARTS, SPEC))
    listed = CliRunner().invoke(cli, ["deadlines", "--list"], obj=own)
    assert "home_visit" in json.loads(listed.stdout)
    dates = CliRunner().invoke(
        cli, ["deadlines", "home_visit", "--from", "2027-01-15T10:00:00+01:00"], obj=own
    )
    assert json.loads(dates.stdout)["dates"] == [
        {
            "key": "visit_held",
            "due_at": "2027-01-21T00:00:00+01:00",  # to the end of Wednesday: 3 working days
            "article": "fictieve procedure van de tests: binnen 3 werkdagen",
        }
    ]
    release = CliRunner().invoke(cli, ["deadlines", "--list"])
    assert "home_visit" not in json.loads(release.stdout)
