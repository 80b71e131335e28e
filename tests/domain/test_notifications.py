"""The table of who is told what, Handle with Care timing and its minimal data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import yaml
from typer.testing import CliRunner

from domain.catalogue import CATALOGUE
from domain.chain import Chain, Partner
from domain.models import Notice
from domain.notifications import (
    CaseContacts,
    Child,
    handle_with_care_due,
    handle_with_care_message,
    recipients,
    unreachable,
)
from domain.policy import DeliveryPolicy
from domain.workdays import AMSTERDAM
from infra.settings import SAMPLE_CHAIN, ChainIncomplete, Settings
from ketenregie.cli import app

REGION = Chain.load(SAMPLE_CHAIN).region("haaglanden")
AT = datetime(2026, 11, 24, 22, 0, tzinfo=AMSTERDAM)  # a Tuesday evening


def notice(kind: str, subject: str, recipient: str = "partners") -> Notice:
    return Notice(
        key="k",
        case_id="c",
        region="haaglanden",
        kind=kind,
        recipient=recipient,
        subject=subject,
        at=AT,
    )


FAMILY = CaseContacts(
    municipality="GM0518",
    huisartsen=["huisartsenpraktijk-centrum"],
    wijkteams=["wijkteam-den-haag-centrum"],
    children=[
        Child(ref="c8", name="Kind Acht", birth_date=date(2018, 3, 1), care="school-de-regenboog"),
        Child(ref="c2", name="Kind Twee", birth_date=date(2024, 5, 1), care="kdv-het-nest"),
        Child(
            ref="c19",
            name="Kind Negentien",
            birth_date=date(2007, 1, 1),
            care="school-de-regenboog",
        ),
    ],
)


def told(n: Notice, case: CaseContacts = FAMILY, region=REGION) -> list[str]:
    return [
        (r.partner.id if r.partner else f"<no {r.audience}>")
        + (f"/{r.child.ref}" if r.child else "")
        + ("/coordinator" if r.role == "coordinator" else "")
        for r in recipients(CATALOGUE, n, region, case)
    ]


@pytest.mark.parametrize(
    "kind, subject, expected",
    [
        ("event", "huisverbod_requested", ["burgemeester-gm0518"]),
        (
            "event",
            "huisverbod_imposed",
            [
                "politie-den-haag",
                "vt-haaglanden",
                "huisartsenpraktijk-centrum",
                "wijkteam-den-haag-centrum",
                "school-de-regenboog/c8",
                "kdv-het-nest/c2",
            ],
        ),
        *[
            (
                "event",
                f"huisverbod_{e}",
                [
                    "politie-den-haag",
                    "vt-haaglanden",
                    "huisartsenpraktijk-centrum",
                    "wijkteam-den-haag-centrum",
                ],
            )
            for e in ("extended", "lifted", "expired")
        ],
        ("event", "huisverbod_refused", ["politie-den-haag", "vt-haaglanden"]),
        ("event", "police_callout", ["school-de-regenboog/c8", "kdv-het-nest/c2"]),
        ("alert", "acute_unsafety", ["politie-den-haag"]),
        ("referral", "beschermtafel", ["raad-den-haag"]),
        ("referral", "mda", ["zvh-haaglanden"]),
        ("escalation", "safety_assessment", ["vt-haaglanden/coordinator"]),
    ],
)
def test_each_event_reaches_the_partners_of_the_table(kind, subject, expected):
    assert told(notice(kind, subject)) == expected


@pytest.mark.parametrize(
    "responsible, expected",
    [
        ("veilig_thuis", ["vt-haaglanden"]),
        ("police", ["politie-den-haag"]),
        ("mayor_office", ["burgemeester-gm0518"]),
        ("court", ["rechtbank-den-haag"]),
    ],
)
def test_a_reminder_goes_to_the_responsible_team(responsible, expected):
    assert told(notice("reminder", "x", responsible)) == expected


def test_a_reminder_goes_to_the_worker_on_the_case_and_an_escalation_to_the_coordinator():
    assigned = FAMILY.model_copy(update={"worker_email": "a.devries@vt-haaglanden.example"})
    reminder = recipients(CATALOGUE, notice("reminder", "x", "veilig_thuis"), REGION, assigned)
    assert [r.email for r in reminder] == ["a.devries@vt-haaglanden.example"]
    escalation = recipients(CATALOGUE, notice("escalation", "x", "veilig_thuis"), REGION, assigned)
    assert [(r.email, r.role) for r in escalation] == [(None, "coordinator")]
    # another team's reminder is not the worker's
    police = recipients(CATALOGUE, notice("reminder", "x", "police"), REGION, assigned)
    assert [r.email for r in police] == [None]


def test_the_mayor_of_the_case_municipality_is_asked():
    delft = FAMILY.model_copy(update={"municipality": "GM0503"})
    assert told(notice("event", "huisverbod_requested"), delft) == ["burgemeester-gm0503"]


def without(*ids: str) -> Chain:
    """The sample chain without the partners `ids`."""
    chain = Chain.load(SAMPLE_CHAIN)
    for region in chain.regions:
        region.partners = [p for p in region.partners if p.id not in ids]
    return chain


def test_a_municipality_without_a_mayors_office_configured_is_a_visible_gap():
    rijswijk = FAMILY.model_copy(update={"municipality": "GM0603"})
    region = without("burgemeester-gm0603").region("haaglanden")
    assert told(notice("event", "huisverbod_requested"), rijswijk, region) == ["<no mayor_office>"]


def test_the_sample_chain_reaches_every_legal_duty_in_every_municipality():
    assert unreachable(CATALOGUE, Chain.load(SAMPLE_CHAIN)) == []


def test_a_chain_missing_a_college_or_a_regions_police_names_what_is_missing():
    """Wmo 2015 art. 4.1.1 lid 2 sub f: the college of Delft hears of a verzoek tot onderzoek;
    the police of every ban. A chain without them names them, in Dutch."""
    assert unreachable(CATALOGUE, without("college-gm0503", "politie-rotterdam")) == [
        "Veilig Thuis Haaglanden, gemeente Delft (GM0503): het college van burgemeester en "
        + "wethouders",
        "Veilig Thuis Rotterdam Rijnmond: de politie",
    ]


def test_starting_with_a_chain_that_lacks_a_college_refuses_with_its_name(tmp_path):
    chain = yaml.safe_load(SAMPLE_CHAIN.read_text(encoding="utf-8"))
    for region in chain["regions"]:
        region["partners"] = [p for p in region["partners"] if p["id"] != "college-gm0503"]
    path = tmp_path / "chain.yaml"
    path.write_text(yaml.safe_dump(chain, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ChainIncomplete, match=r"gemeente Delft \(GM0503\): het college"):
        Settings(chain_file=path).chain  # noqa: B018
    up = CliRunner().invoke(app, ["up"], env={"KETENREGIE_CHAIN_FILE": str(path)})
    assert up.exit_code == 1 and "gemeente Delft (GM0503)" in up.output


def test_huisarts_and_wijkteam_only_where_known():
    unknown = CaseContacts(municipality="GM0518")
    assert told(notice("event", "huisverbod_imposed"), unknown) == [
        "politie-den-haag",
        "vt-haaglanden",
    ]


def test_kinderopvang_only_where_the_region_opted_in():
    opted_out = REGION.model_copy(update={"handle_with_care_kinderopvang": False})
    assert told(notice("event", "police_callout"), region=opted_out) == ["school-de-regenboog/c8"]


@pytest.mark.parametrize(
    "at, due",
    [
        # Tuesday night: before lessons on Wednesday
        (datetime(2026, 11, 24, 22, 0), datetime(2026, 11, 25, 8, 30)),
        # Wednesday early morning: before lessons that same day
        (datetime(2026, 11, 25, 6, 0), datetime(2026, 11, 25, 8, 30)),
        # Wednesday during lessons: the next morning
        (datetime(2026, 11, 25, 10, 0), datetime(2026, 11, 26, 8, 30)),
        # Friday evening: Monday's lessons are after 24 hours, so within 24 hours
        (datetime(2026, 11, 27, 20, 0), datetime(2026, 11, 28, 20, 0)),
        # Thursday 31 Dec during the day: New Year's Day is skipped, the 24 hours bind
        (datetime(2026, 12, 31, 9, 0), datetime(2027, 1, 1, 9, 0)),
    ],
)
def test_handle_with_care_before_lessons_and_within_24_hours(at, due):
    assert handle_with_care_due(at.replace(tzinfo=AMSTERDAM)) == due.replace(tzinfo=AMSTERDAM)


def test_handle_with_care_message_is_minimal():
    child = FAMILY.children[0]
    assert handle_with_care_message(child, "VT, 0800-2000") == {
        "title": "Handle with Care",
        "child": "Kind Acht",
        "birth_date": "01-03-2018",
        "contact": "VT, 0800-2000",
    }


@pytest.mark.parametrize(
    "birth_date, told_school",
    [
        (date(2022, 11, 24), True),  # fourth birthday that day
        (date(2022, 11, 25), False),  # three: the kinderopvang, not the school
        (date(2008, 11, 25), True),  # seventeen, eighteen tomorrow
        (date(2008, 11, 24), False),  # eighteen that day: no longer a child
    ],
)
def test_handle_with_care_reaches_a_school_for_children_of_4_up_to_and_including_17(
    birth_date, told_school
):
    pupil = Child(ref="c1", name="Kind", birth_date=birth_date, care="school-de-regenboog")
    case = CaseContacts(municipality="GM0518", children=[pupil])
    school = "school-de-regenboog/c1" in told(notice("event", "police_callout"), case)
    assert school is told_school


def test_delivery_retries_double_up_to_the_longest_wait_then_stop():
    policy = DeliveryPolicy(
        first_retry=timedelta(seconds=5), max_retry=timedelta(seconds=30), attempts=5
    )
    waits = [policy.backoff(n) for n in range(1, 6)]
    assert waits == [timedelta(seconds=s) for s in (5, 10, 20, 30)] + [None]


def test_a_school_or_kinderopvang_is_reached_by_email_only():
    """Its Handle with Care notice names the child; a webhook's CloudEvent carries no
    personal data."""
    school = {"id": "s", "kind": "school", "name": "S"}
    Partner(**school, channels={"default": {"kind": "email", "to": "s@example.nl"}})
    with pytest.raises(ValueError, match="e-mail only"):
        Partner(**school, channels={"default": {"kind": "webhook", "url": "https://s/hook"}})


def test_a_mail_gives_a_term_that_ends_at_midnight_as_its_last_day():
    from domain.models import Notice
    from domain.notifications import event_message

    notice = Notice(
        key="k",
        case_id="c",
        region="haaglanden",
        kind="reminder",
        recipient="veilig_thuis",
        subject="appeal",
        at=datetime(2027, 1, 1, tzinfo=UTC),
        due_at=datetime(2027, 1, 15, 23, 0, tzinfo=UTC),  # 16-01-2027 00:00 in Amsterdam
        detail="",
    )
    assert event_message(CATALOGUE, notice)["due_at"] == "t/m 15-01-2027"
