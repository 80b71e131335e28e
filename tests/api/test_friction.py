"""Friction users met on the pages, found without a server: bars for small counts, the
sign-in's roles per organisation, mails by case number, every deadline's action on a page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from api import charts
from api.web import case_forms, path_forms
from api.web.signin import role_choices
from domain.catalogue import CATALOGUE
from domain.chain import Chain
from domain.models import Notice
from domain.notifications import event_message

TEMPLATES = Path(__file__).parents[2] / "api" / "templates"
SAMPLE = Chain.load(Path(__file__).parents[2] / "infra" / "chain.yaml")


def test_a_suppressed_count_still_draws_a_bar():
    found = {
        "threshold": 5,
        "quarters": [
            {
                "quarter": "2026-K4",
                "figures": {
                    m: {"a": None, "b": 0} if m == "meldingen" else {} for m in charts.MEASURES
                },
            }
        ],
    }
    chart = next(c for c in charts.build(found, lambda m, c: c) if c.measure == "meldingen")
    small, zero = chart.rows
    assert small.suppressed and small.value == "<5" and small.width > 0
    assert zero.width == 0 and zero.value == "0"


def test_each_role_is_offered_once_named_with_its_kind_of_organisation():
    orgs = [
        p for r in SAMPLE.regions for p in r.partners if p.kind in ("veilig_thuis", "mayor_office")
    ]
    labels = [label for _, _, label in role_choices(orgs)]
    assert len(labels) == len(set(labels))
    assert "medewerker (Veilig Thuis)" in labels
    assert "medewerker (het bureau van de burgemeester)" in labels


def test_a_mail_names_the_case_by_its_number():
    notice = Notice(
        key="k",
        case_id="0a1b2c3d",
        region="haaglanden",
        kind="reminder",
        recipient="veilig_thuis",
        subject="safety_assessment",
        at=datetime(2026, 12, 7, tzinfo=UTC),
    )
    assert event_message(CATALOGUE, notice, "veilig_thuis", "VT-HGL-2026-000001")["case"] == (
        "VT-HGL-2026-000001"
    )


# Every deadline a person of the chain must meet, and the page form that meets it. The court's
# deadlines are the court's: the mayor's office's jurist records its acts through the API.
CASE_STEP = {
    "safety_assessment": "veiligheidsbeoordeling",
    "acute_safety_assessment": "veiligheidsbeoordeling",
    "investigation": "onderzoek",
    "monitoring_check": "monitoring",
}
PAGE_FORM = {  # deadline -> (template, the form's action as the template writes it)
    "mayor_decision": ("inbox_part.html", "/besluit"),
    "contact_address": ("police_case.html", "/mijlpaal"),
    "help_started": ("case_actions.html", "/huisverbod/{{ hv }}/mijlpaal"),
    "advice_follow_up": ("advice.html", "/opvolging"),
}
PATH_STEP = {
    "beschermtafel_meeting": "meeting_held",
    "raad_answer": "raad_answered",
    "raad_investigation": "raad_concluded",
    "measure_renewal": "measure_renewed",
    "renewal_request": "renewal_decided",
    "urgent_hearing": "court_decided",
    "placement_used": "placement_carried_out",
    "mda_intake": "intake_held",
    "mda_analysis": "analysis_done",
    "mda_action": "action_done",
    "mda_review": "review_held",
    "safe_place": "safe_without_placement",
    "crisis_placement_review": "placement_ended",
    "safety_plan_review": "review_held",
}
THE_COURT = {"interim_relief_hearing", "interim_relief_ruling"}


def test_every_deadline_of_the_catalogue_has_its_action_on_a_page():
    assert set(CATALOGUE.rules) == set(CASE_STEP) | set(PAGE_FORM) | set(PATH_STEP) | THE_COURT
    for key, step in CASE_STEP.items():
        assert step in case_forms.FORMS, key
    for key, (template, action) in PAGE_FORM.items():
        assert action in (TEMPLATES / template).read_text(encoding="utf-8"), key
    by_hand = {
        (f.name, rule.key)
        for p in CATALOGUE.paths
        for rule in p.rules
        for f in path_forms.forms(p)
        if f.by_hand
    }
    for key, step in PATH_STEP.items():
        assert (step, key) in by_hand, key
