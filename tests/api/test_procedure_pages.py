"""A procedure's part of the case page: its own template file when its spec names one, else
the API's `procedures/<kind>.html`."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

from api.web import path_forms
from api.web.render import ENV, path_pages
from domain.catalogue import CATALOGUE, PARTS, build

PROCEDURES = CATALOGUE.procedures


def test_a_procedure_brings_its_own_fragment(tmp_path):
    fragment = tmp_path / "visit.html"
    fragment.write_text("<p>Bezoek op {{ t.planned_on }}</p>", encoding="utf-8")
    visit = dataclasses.replace(PROCEDURES["mda"], kind="visit", slug="visits", page=fragment)
    name = path_pages(build((*PARTS, visit)))["visit"]
    page = ENV.get_template(name).render(t={"planned_on": "2026-03-02"})
    assert page == "<p>Bezoek op 2026-03-02</p>"


def test_without_its_own_fragment_the_api_s_is_used():
    page = ENV.get_template("procedures/safety_plan.html").render(
        t={"review_dates": [date(2026, 3, 2), date(2026, 6, 2)]}
    )
    assert "Evaluaties op 02-03-2026, 02-06-2026" in page


def test_every_path_has_a_fragment():
    pages = path_pages(CATALOGUE)
    for spec in CATALOGUE.paths:
        ENV.get_template(pages[spec.kind])  # TemplateNotFound otherwise


PERSONS = [
    {"ref": "p1", "role": "victim", "name": "Sara Jansen"},
    {"ref": "k1", "role": "child", "name": "Noor Jansen"},
]


def _titles(kind: str, state: dict) -> list[str]:
    return [f.title for f in path_forms.offered(PROCEDURES[kind], state, PERSONS)]


def test_a_path_offers_only_the_steps_its_state_takes():
    assert _titles("child_protection", {"status": "referred"}) == ["Beschermtafel gepland"]
    assert _titles("child_protection", {"status": "meeting_scheduled"}) == [
        "Beschermtafel gehouden"
    ]
    assert _titles("mda", {"status": "closed"}) == []


def test_a_placement_is_chosen_by_the_name_of_who_was_placed():
    placed = {
        "placement_id": "pl1",
        "person_ref": "p1",
        "kind": "vrouwenopvang",
        "placed_at": datetime(2026, 12, 1, 12, tzinfo=UTC),
        "ended_at": None,
    }
    state = {"status": "arranging", "placements": [placed]}
    forms = path_forms.offered(PROCEDURES["acute_safety"], state, PERSONS)
    ended = next(f for f in forms if f.name == "placement_ended")
    assert ended.inputs[0].options == {"pl1": "Sara Jansen: vrouwenopvang sinds 01-12-2026"}
    # nothing running: nothing to end
    done = {"status": "safe", "placements": [{**placed, "ended_at": placed["placed_at"]}]}
    assert "Plaatsing beëindigd" not in _titles("acute_safety", done)


def test_a_referral_asks_for_the_child_by_name():
    inputs = path_forms.start_inputs(PROCEDURES["child_protection"], PERSONS, None)
    child = next(i for i in inputs if i.name == "child_ref")
    assert child.options == {"k1": "Noor Jansen"}


def test_the_timeline_names_persons_the_workflows_know_by_reference():
    from types import SimpleNamespace

    from api.web.render import named

    persons = [SimpleNamespace(**p) for p in PERSONS]
    assert named("p1: plaatsing beëindigd", persons) == "Sara Jansen: plaatsing beëindigd"
    assert named("'k1' is geen pleger; p10 en kp1 niet", persons) == (
        "Noor Jansen is geen pleger; p10 en kp1 niet"
    )
