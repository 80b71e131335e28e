"""The huisverbod in the zaaksysteem: which ZGW resources its timeline calls for, in order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.catalogue import CATALOGUE
from domain.chain import Chain
from domain.huisverbod import Decider, DecisionCmd, ExtensionCmd, HuisverbodSnapshot
from domain.huisverbod_policy import HuisverbodPolicy
from domain.models import Notice, TimelineEvent
from domain.notifications import CaseContacts, recipients
from domain.zgw import (
    FILINGS,
    MARGIN,
    besluit_body,
    besluit_identificatie,
    cut_short,
    day,
    filed_moment,
    huisverbod_of,
    problem,
    steps,
    zaak_body,
    zaak_identificatie,
)
from infra.settings import SAMPLE_CHAIN

MAYOR = Decider(name="J. Burgemeester", capacity="mayor")
REQUESTED = datetime(2026, 10, 20, 17, 0, tzinfo=UTC)
IMPOSED = REQUESTED + timedelta(hours=1)  # 20:00 in Amsterdam
HV = "1a2b3c4d-5e6f-4a1b-8c2d-0123456789ab"
CHAIN = Chain.load(SAMPLE_CHAIN)
AALSMEER = CHAIN.organisation("burgemeester-gm0358").zaaksysteem


def ban(*events: tuple[str, datetime], extensions=()) -> HuisverbodSnapshot:
    return HuisverbodSnapshot(
        huisverbod_id=HV,
        case_id="c",
        municipality="GM0358",
        pleger_ref="p2",
        status="imposed",
        requested_at=REQUESTED,
        decision=DecisionCmd(decision="impose", reason="r", decided_by=MAYOR, decided_at=IMPOSED),
        imposed_at=IMPOSED,
        extensions=list(extensions),
        version=1,
        timeline=[TimelineEvent(at=at, kind=kind) for kind, at in events],
        deadlines=[],
    )


def test_each_event_files_its_besluit_and_status_in_the_order_of_the_ban():
    extended = IMPOSED + timedelta(days=9)
    until = IMPOSED + timedelta(days=20)
    hv = ban(
        ("huisverbod_imposed", IMPOSED),  # out of order: sorted by moment
        ("huisverbod_requested", REQUESTED),
        ("veilig_thuis_consulted", IMPOSED),  # not filed
        ("huisverbod_extended", extended),
        ("huisverbod_expired", until),
        extensions=[ExtensionCmd(until=until, reason="r", decided_by=MAYOR, decided_at=extended)],
    )
    filed = steps(hv, HuisverbodPolicy(), until)
    assert [(s.filing.besluit, s.filing.order, s.filing.status) for s in filed] == [
        (None, None, "aangevraagd"),
        ("oplegging", "oplegging", "opgelegd"),
        ("verlenging", "verlenging", "verlengd"),
        (None, None, "beeindigd"),
    ]
    assert filed[1].ends == HuisverbodPolicy().ban_end(IMPOSED)  # ten days, as the order says
    assert (filed[2].number, filed[2].ends) == (1, until)
    # a delivery files up to its own event only
    assert len(steps(hv, HuisverbodPolicy(), IMPOSED)) == 2


def test_the_zaak_is_named_by_our_number_and_holds_no_name():
    ident = zaak_identificatie(HV, "VT-AA-2026-000123")
    assert ident == "VT-AA-2026-000123-HV-1a2b3c4d"
    body = zaak_body(AALSMEER, ident, ban(("huisverbod_requested", REQUESTED)))
    assert body["bronorganisatie"] == body["verantwoordelijkeOrganisatie"] == AALSMEER.rsin
    assert body["startdatum"] == "2026-10-20" and body["zaaktype"] == AALSMEER.zaaktype
    assert len(zaak_identificatie(HV, None)) <= 30


def test_the_besluit_has_its_dates_and_an_end_where_the_ban_has_one():
    hv = ban(("huisverbod_requested", REQUESTED), ("huisverbod_imposed", IMPOSED))
    imposed = steps(hv, HuisverbodPolicy(), IMPOSED)[1]
    ident = besluit_identificatie("VT-AA-2026-000123-HV-1a2b3c4d", imposed)
    body = besluit_body(AALSMEER, ident, "https://zaken/1", imposed, IMPOSED)
    assert len(ident) <= 40
    assert body["besluittype"] == AALSMEER.besluittypen["oplegging"]
    assert (body["datum"], body["ingangsdatum"], body["vervaldatum"]) == (
        "2026-10-20",
        "2026-10-20",
        "2026-10-30",
    )
    assert body["vervalreden"] == "tijdelijk"


def test_the_zaaksysteem_is_told_only_where_the_mayors_office_has_one():
    def told(municipality: str, region: str) -> list[str]:
        n = Notice(
            key=f"huisverbod:{HV}:huisverbod_imposed:x",
            case_id="c",
            region=region,
            kind="event",
            recipient="partners",
            subject="huisverbod_imposed",
        )
        return [
            r.partner.id
            for r in recipients(
                CATALOGUE, n, CHAIN.region(region), CaseContacts(municipality=municipality)
            )
            if r.audience == "zaaksysteem"
        ]

    assert told("GM0358", "amsterdam-amstelland") == ["burgemeester-gm0358"]
    assert told("GM0363", "amsterdam-amstelland") == []  # Amsterdam: none configured
    assert huisverbod_of(f"huisverbod:{HV}:huisverbod_imposed:2026") == HV
    assert huisverbod_of("case:c:x") is None


def test_every_event_the_zaaksysteem_hears_of_files_something():
    told = {
        subject
        for (_, subject), audiences in CATALOGUE.audiences.items()
        if "zaaksysteem" in audiences
    }
    assert told == set(FILINGS)


def test_a_decision_typed_a_minute_ahead_is_filed_as_of_its_filing_and_in_order():
    now = IMPOSED
    assert filed_moment(IMPOSED - timedelta(hours=1), now) == IMPOSED - timedelta(hours=1)
    ahead = filed_moment(IMPOSED + timedelta(minutes=1), now)
    assert ahead == now - MARGIN  # never after the zaaksysteem's clock
    # a withdrawal typed ahead too, filed in the same run: after the imposition
    assert filed_moment(IMPOSED + timedelta(minutes=2), now, ahead) == ahead + timedelta(seconds=1)
    # at 00:30 in Amsterdam the Besluiten API's today (UTC) is still yesterday
    late = datetime(2026, 10, 20, 22, 30, tzinfo=UTC)
    hv = ban(("huisverbod_requested", REQUESTED), ("huisverbod_imposed", late))
    imposed = steps(hv, HuisverbodPolicy(), late)[1]
    assert besluit_body(AALSMEER, "X", "https://zaken/1", imposed, late)["datum"] == "2026-10-20"


def test_an_extension_starts_when_the_ten_days_end_and_a_withdrawal_ends_every_besluit():
    policy = HuisverbodPolicy()
    first_end = policy.ban_end(IMPOSED)
    extended_at = IMPOSED + timedelta(days=9)
    until = IMPOSED + timedelta(days=20)
    withdrawn = IMPOSED + timedelta(days=5, hours=3)
    hv = ban(
        ("huisverbod_requested", REQUESTED),
        ("huisverbod_imposed", IMPOSED),
        ("huisverbod_extended", extended_at),
        ("huisverbod_withdrawn", withdrawn + timedelta(days=6)),
        extensions=[
            ExtensionCmd(until=until, reason="r", decided_by=MAYOR, decided_at=extended_at)
        ],
    )
    done = steps(hv, policy, until)
    verlenging = done[2]
    body = besluit_body(AALSMEER, "X", "https://zaken/1", verlenging, extended_at)
    assert body["ingangsdatum"] == day(first_end) == "2026-10-30"  # not the day decided
    assert body["vervaldatum"] == day(until)
    changes = {e.filing.besluit: change for e, change in cut_short(done[:3], done[3])}
    # the ten days had ended: only the extension still ran, and ends on the withdrawal's day
    assert changes == {
        "verlenging": {"vervaldatum": day(done[3].at), "vervalreden": "ingetrokken_overheid"}
    }
    early = ban(
        ("huisverbod_requested", REQUESTED),
        ("huisverbod_imposed", IMPOSED),
        ("huisverbod_lifted", withdrawn),
    )
    done = steps(early, policy, withdrawn)
    assert [(e.filing.besluit, c["vervaldatum"]) for e, c in cut_short(done[:2], done[2])] == [
        ("oplegging", day(withdrawn))
    ]


def test_a_refusal_of_the_zaaksysteem_says_what_to_fix_without_values():
    told, codes = problem(
        403,
        {
            "code": "permission_denied",
            "title": "Je hebt geen toestemming om deze actie uit te voeren.",
            "detail": "Met de 'zaken.aanmaken' scope mag je slechts 1 status zetten",
        },
    )
    assert "slechts 1 status" in told and "mist een scope" in told
    told, codes = problem(
        400,
        {
            "code": "invalid",
            "title": "Invalid input.",
            "invalidParams": [
                {"name": "datumStatusGezet", "code": "date-in-future", "reason": "2026-10-20"}
            ],
        },
    )
    assert "datumStatusGezet: date-in-future" in told and "in de toekomst" in told
    assert "2026-10-20" not in told and "date-in-future" in codes
