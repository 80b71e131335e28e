"""The pages' theme comes from the deployment's settings, served from our own origin; the case
page opens with the deadline due first and the step on the page that meets it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.schemas import DeadlineView
from api.web import case_forms, theme
from api.web.cases import next_due

AT = datetime(2026, 3, 2, 10, tzinfo=UTC)


def deadline(key: str, due_in: int, status: str = "open", responsible: str = "veilig_thuis"):
    return DeadlineView(
        key=key, label=key, rule="", responsible=responsible, source="case",
        due_at=AT + timedelta(days=due_in), remind_at=None, status=status, met_at=None,
    )  # fmt: skip


def test_the_case_opens_with_the_deadline_due_first_and_the_form_that_meets_it():
    case = SimpleNamespace(
        deadlines=[
            deadline("investigation", 3),
            deadline("safety_assessment", 1, status="overdue"),
            deadline("monitoring_check", 0, status="met"),
        ]
    )
    found = next_due(case, case_forms.offered("triage"))
    assert (found["deadline"].key, found["owner"], found["step"]) == (
        "safety_assessment",
        "Veilig Thuis",
        "veiligheidsbeoordeling",
    )


def test_a_deadline_of_someone_else_names_them_and_offers_no_form():
    case = SimpleNamespace(deadlines=[deadline("mayor_decision", 1, responsible="mayor_office")])
    found = next_due(case, case_forms.offered("triage"))
    assert found["step"] is None and found["owner"] != "Veilig Thuis"
    assert next_due(SimpleNamespace(deadlines=[]), {}) is None


def test_a_deployment_s_theme_and_logo_are_served_from_our_own_origin(tmp_path):
    tokens = tmp_path / "den-haag.css"
    tokens.write_text(".denhaag-theme { --basis-color-accent-1-bg-default: #1a7a3c; }")
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    settings = SimpleNamespace(
        theme_name="Gemeente Den Haag", theme_class="denhaag-theme",
        theme_stylesheet=tokens, theme_logo=logo,
    )  # fmt: skip
    app = FastAPI()
    app.state.settings = settings
    app.include_router(theme.router)
    client = TestClient(app)
    assert theme.theme(settings) == {
        "name": "Gemeente Den Haag",
        "css_class": "denhaag-theme",
        "stylesheet": "/thema/stijl.css",
        "logo": "/thema/logo",
    }
    css = client.get("/thema/stijl.css")
    assert css.headers["content-type"].startswith("text/css") and "#1a7a3c" in css.text
    assert client.get("/thema/logo").headers["content-type"] == "image/svg+xml"


def test_without_a_theme_the_pages_wear_the_nl_design_system_s_voorbeeld_theme():
    settings = SimpleNamespace(
        theme_name="ketenregie", theme_class="voorbeeld-theme",
        theme_stylesheet=None, theme_logo=None,
    )  # fmt: skip
    app = FastAPI()
    app.state.settings = settings
    app.include_router(theme.router)
    assert theme.theme(settings)["stylesheet"] == "/static/vendor/voorbeeld-theme.css"
    assert TestClient(app).get("/thema/stijl.css").status_code == 404
