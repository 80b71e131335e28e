"""A partner's CloudEvent (NL GOV profile): one type per notice subject, a stable id per
delivery, a URN source, references only."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.catalogue import CATALOGUE
from domain.events import event_id, event_source, partner_event
from domain.events import event_type as typed
from domain.events import resource as resource_of
from domain.models import Notice
from domain.notifications import TYPE_PREFIX

INTEGRATORS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "integrators.md"
AT = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
EVENT_TYPES = CATALOGUE.event_types
SUBJECTS = sorted({subject for _, subject in CATALOGUE.audiences} | set(CATALOGUE.labels))


def event_type(n: Notice) -> str:
    return typed(CATALOGUE, n)


def resource(n: Notice) -> tuple[str, str]:
    return resource_of(CATALOGUE, n)[:2]


def notice(kind="event", subject="huisverbod_imposed", key=None, **more) -> Notice:
    return Notice(
        key=key or f"huisverbod:hv-7:{subject}:{AT.isoformat()}",
        case_id="VT-HGL-2026-000123",
        region="haaglanden",
        kind=kind,
        recipient="partners",
        subject=subject,
        at=AT,
        **more,
    )


@pytest.mark.parametrize("subject", SUBJECTS)
def test_every_notice_subject_has_a_reverse_dns_type(subject):
    kind = "escalation" if subject == "notification_failed" else "event"
    name = event_type(notice(kind, subject))
    assert name == f"{TYPE_PREFIX}.{EVENT_TYPES[subject]}"
    # reverse-DNS, lower case, Dutch words joined by hyphens (NL GOV profile: `type`)
    assert re.fullmatch(r"nl\.ketenregie(\.[a-z][a-z-]*[a-z])+", name), name


def test_the_types_are_one_table_without_doubles():
    assert len(set(EVENT_TYPES.values())) == len(EVENT_TYPES)
    assert set(EVENT_TYPES) == set(SUBJECTS) | {"reminder", "escalation"}


def test_a_deadline_is_typed_by_its_kind_and_an_unknown_subject_is_refused():
    assert (
        event_type(notice("reminder", "mayor_decision"))
        == "nl.ketenregie.termijn.verloopt-binnenkort"
    )
    assert event_type(notice("escalation", "mayor_decision")) == "nl.ketenregie.termijn.verstreken"
    failed = notice("escalation", "notification_failed")
    assert event_type(failed) == "nl.ketenregie.bericht.niet-bezorgd"
    with pytest.raises(LookupError):
        event_type(notice("event", "something_new"))


def test_the_integrators_page_shows_the_table_as_it_is():
    rows = re.findall(
        r"^\| `(\w+)` \| `(nl\.ketenregie\.[\w.-]+)` \|", INTEGRATORS_PAGE.read_text(), re.MULTILINE
    )
    assert dict(rows) == {k: f"{TYPE_PREFIX}.{v}" for k, v in EVENT_TYPES.items()}


def test_the_id_is_a_uuid_derived_from_the_delivery_key():
    key = "huisverbod:hv-7:huisverbod_imposed:2026-11-24T21:00:00+00:00>politie-den-haag"
    assert event_id(key) == event_id(key)  # a redelivery carries the same id
    assert uuid.UUID(event_id(key)).version == 5
    assert event_id(key) != event_id(key.replace("politie-den-haag", "vt-haaglanden"))
    assert "politie" not in event_id(key)


def test_the_source_is_a_urn_of_the_organisation_and_system():
    assert event_source("00000001234567890000") == (
        "urn:nld:oin:00000001234567890000:systeem:ketenregie"
    )
    assert event_source(None) == "urn:nld:systeem:ketenregie"
    with pytest.raises(ValueError):
        event_source("123")


@pytest.mark.parametrize(
    "n, expected",
    [
        (notice(), ("huisverboden", "hv-7")),
        (
            notice("alert", "acute_unsafety", key="case:acute_unsafety:x"),
            ("cases", "VT-HGL-2026-000123"),
        ),
        (
            notice("reminder", "help_started", key="huisverbod:hv-7:help_started:x:reminder"),
            ("huisverboden", "hv-7"),
        ),
        (
            notice(
                "escalation",
                "notification_failed",
                key="huisverbod:hv-7:huisverbod_imposed:x:undelivered",
            ),
            ("huisverboden", "hv-7"),
        ),
        (
            notice("reminder", "x", key="advice:a-1:x", about="advice"),
            ("adviesvragen", "VT-HGL-2026-000123"),
        ),
    ],
)
def test_the_resource_is_the_huisverbod_the_advice_question_or_the_case(n, expected):
    assert resource(n) == expected


def test_a_partner_event_carries_references_and_the_title_only():
    attributes, data = partner_event(
        CATALOGUE,
        "k>politie-den-haag",
        notice(detail="Pleger Twee, Voorbeeldstraat 1"),
        AT,
        "urn:nld:systeem:ketenregie",
        "https://ketenregie.example.nl/",
    )
    assert attributes == {
        "id": event_id("k>politie-den-haag"),
        "source": "urn:nld:systeem:ketenregie",
        "type": "nl.ketenregie.huisverbod.opgelegd",
        "subject": "hv-7",
        "time": AT,
        "datacontenttype": "application/json",
        "dataref": "https://ketenregie.example.nl/v1/huisverboden/hv-7",
    }
    assert data == {
        "title": "Tijdelijk huisverbod opgelegd",
        "region": "haaglanden",
        "case_id": "VT-HGL-2026-000123",
        "huisverbod_id": "hv-7",
    }


def test_a_reminder_says_which_deadline_and_when_it_is_due():
    due = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    _, data = partner_event(
        CATALOGUE,
        "k",
        notice("reminder", "help_started", key="case:help_started:x", due_at=due),
        AT,
        "urn:nld:systeem:ketenregie",
        "http://127.0.0.1:8000",
    )
    assert data["deadline"] == "help_started"
    assert data["due_at"] == "2026-11-30T09:00:00+00:00"
    assert data["title"].startswith("Herinnering")


def test_a_notice_is_sent_as_planned_by_a_worker_that_does_not_know_it():
    """A worker of another release (or a test's catalogue) planned it: its title and type
    are fixed in the outbox, so the sender need not know the procedure."""
    planned = {
        "title": "Huisbezoek gepland: u legt het af",
        "type": "nl.ketenregie.huisbezoek.gepland",
    }
    attributes, data = partner_event(
        CATALOGUE,
        "k",
        notice("event", "home_visit_planned", key="home_visit:p-1:home_visit_planned:x"),
        AT,
        "urn:nld:systeem:ketenregie",
        "http://127.0.0.1:8000",
        planned,
    )
    assert attributes["type"] == "nl.ketenregie.huisbezoek.gepland"
    assert data["title"] == "Huisbezoek gepland: u legt het af"
