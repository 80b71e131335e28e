"""A procedure's part of the case page: its own template file when its spec names one, else
the API's `procedures/<kind>.html`."""

from __future__ import annotations

import dataclasses

from api.web.render import ENV
from services.procedures import PROCEDURES


def test_a_procedure_brings_its_own_fragment(tmp_path, monkeypatch):
    fragment = tmp_path / "visit.html"
    fragment.write_text("<p>Bezoek op {{ t.planned_on }}</p>", encoding="utf-8")
    mda = PROCEDURES["mda"]
    spec = dataclasses.replace(mda.spec, kind="visit", slug="visits", page=fragment)
    monkeypatch.setitem(PROCEDURES, "visit", dataclasses.replace(mda, spec=spec))
    page = ENV.get_template("procedures/visit.html").render(t={"planned_on": "2026-03-02"})
    assert page == "<p>Bezoek op 2026-03-02</p>"


def test_without_its_own_fragment_the_api_s_is_used():
    page = ENV.get_template("procedures/safety_plan.html").render(
        t={"review_dates": ["2026-03-02", "2026-06-02"]}
    )
    assert "Evaluaties op 2026-03-02, 2026-06-02" in page


def test_every_registered_procedure_has_a_fragment():
    for kind in PROCEDURES:
        ENV.get_template(f"procedures/{kind}.html")  # TemplateNotFound otherwise
