"""Partners are told through real channels, each message exactly once in effect.

A real SMTP server (aiosmtpd) and a real webhook receiver (CloudEvents, parsed with the SDK)
run in the test process; the worker sends to them over the network.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from cloudevents.core.bindings.http import to_structured_event
from cloudevents.core.v1.event import CloudEvent

from api.app import create_app
from api.auth import SESSION_COOKIE, mint_token
from domain.events import event_id
from domain.ids import case_workflow_id
from domain.notifications import MAIL_KEY_HEADER
from domain.signing import SIGNATURE_HEADER, sign
from infra.settings import Settings
from tests.integration.conftest import WorkerRunner, eventually
from tests.integration.flows import MAYOR, melding, request_huisverbod, wait_status

FAMILY = [
    {
        "ref": "p1",
        "role": "victim",
        "name": "Slachtoffer Een",
        "birth_date": "1990-04-01",
        "address": "Voorbeeldstraat 1, Den Haag",
        "huisarts": "huisartsenpraktijk-centrum",
    },
    {"ref": "p2", "role": "pleger", "name": "Pleger Twee", "birth_date": "1985-06-15"},
    {
        "ref": "c8",
        "role": "child",
        "name": "Kind Acht",
        "birth_date": "2018-03-01",
        "school": "school-de-regenboog",
    },
    {
        "ref": "c2",
        "role": "child",
        "name": "Kind Twee",
        "birth_date": "2024-05-01",
        "school": "kdv-het-nest",
    },
]
PARTNERS = [
    "politie-den-haag",
    "vt-haaglanden",
    "huisartsenpraktijk-centrum",
    "wijkteam-den-haag-centrum",
]


async def family_case(api) -> str:
    body = melding(persons=FAMILY, wijkteam="wijkteam-den-haag-centrum")
    r = await api.post("/v1/meldingen", json=body)
    assert r.status_code == 201, r.text
    return r.json()["case_id"]


async def impose_consulted(police, hv: str) -> None:
    r = await police.post(
        f"/v1/huisverboden/{hv}/decision",
        json={
            "decision": "impose",
            "reason": "RiHG wijst op ernstig gevaar",
            "decided_by": {"name": "H. Officier", "capacity": "hulpofficier"},
            "veilig_thuis_consulted": True,
        },
    )
    assert r.status_code == 200, r.text


async def settled(api, case_id: str, count: int = 1, last: str = "") -> list[dict]:
    """The case's deliveries once at least `count` exist, one of them of notice `last`, and
    none is pending any more."""

    async def probe():
        r = await api.get(f"/v1/cases/{case_id}/notifications")
        items = r.json()["items"]
        done = all(i["status"] in ("sent", "failed") for i in items)
        seen = any(last in i["notice_key"] for i in items)
        return done and seen and len(items) >= count and items

    return await eventually(probe)


def event_of(notice_key: str) -> str:
    kind, _, rest = notice_key.partition(":")
    parts = rest.split(":")
    return (
        parts[2] if kind == "case" else parts[1]
    )  # case:<id>:<kind>:<subject>, <path>:<id>:<subject>


def received(mail, hooks, key: str) -> list:
    """Every message the partners' servers received of delivery `key` (repeats included): an
    e-mail carries the key, a CloudEvent the id derived from it."""
    mails = [m for m in mail.messages if str(m[MAIL_KEY_HEADER]).strip() == key]
    return mails + [h for h in hooks.received if h["id"] == event_id(key)]


async def test_every_event_reaches_the_right_partners_once(api, police, mayor, jurist, mail, hooks):
    case_id = await family_case(api)
    hv = await request_huisverbod(api, case_id)
    await impose_consulted(police, hv)
    imposed = (await api.get(f"/v1/huisverboden/{hv}")).json()
    until = (
        datetime.fromisoformat(imposed["imposed_at"])
        + (
            datetime.fromisoformat(imposed["max_end"])
            - datetime.fromisoformat(imposed["imposed_at"])
        )
        / 2
    )
    r = await mayor.post(
        f"/v1/huisverboden/{hv}/extension",
        json={"until": until.isoformat(), "reason": "dreiging duurt voort", "decided_by": MAYOR},
    )
    assert r.status_code == 200, r.text
    assert (await jurist.post(f"/v1/huisverboden/{hv}/appeal", json={})).status_code == 200
    r = await jurist.post(f"/v1/huisverboden/{hv}/ruling", json={"outcome": "lifted"})
    assert r.status_code == 200, r.text
    second = await request_huisverbod(api, case_id)
    await impose_consulted(police, second)
    await wait_status(api, second, "expired")

    items = await settled(api, case_id, count=23, last="huisverbod_expired")
    events: dict[str, set[str]] = {}
    for i in items:
        if not i["notice_key"].endswith(("reminder", "escalation")):  # deadlines: elsewhere
            events.setdefault(event_of(i["notice_key"]), set()).add(i["partner_id"])
    assert events == {
        "police_callout": {"school-de-regenboog", "kdv-het-nest"},
        "acute_unsafety": {"politie-den-haag"},
        "huisverbod_requested": {"burgemeester-gm0518"},
        "huisverbod_imposed": set(PARTNERS),
        "huisverbod_extended": set(PARTNERS),
        "huisverbod_lifted": set(PARTNERS),
        "huisverbod_expired": set(PARTNERS),
        # the police imposed the second under mandate: the mayor hears at once (Wth art. 3)
        "imposed_under_mandate": {"burgemeester-gm0518"},
    }
    assert {i["status"] for i in items} == {"sent"}
    assert {i["channel"] for i in items} == {"email", "webhook"}
    for i in items:
        assert len(received(mail, hooks, i["key"])) == 1, i
        assert i["attempts"] == 1
    # the mayor's office is sent to its inbox; a partner without pages gets no link at all
    requested = next(i for i in items if event_of(i["key"]) == "huisverbod_requested")
    to_mayor = received(mail, hooks, requested["key"])[0].get_content()
    assert "/inbox" in to_mayor and "/casus/" not in to_mayor
    doctor = next(i for i in items if i["partner_id"] == "huisartsenpraktijk-centrum")
    assert "http" not in received(mail, hooks, doctor["key"])[0].get_content()


async def test_school_and_kinderopvang_get_only_the_minimal_notice(api, police, mail, hooks):
    body = melding(persons=FAMILY, wijkteam="wijkteam-den-haag-centrum")
    r = await api.post("/v1/meldingen", json=body)
    case_id = r.json()["case_id"]
    items = await settled(api, case_id, count=3)
    hwc = {i["partner_id"]: i for i in items if i["subject"] == "Handle with Care"}
    assert set(hwc) == {"school-de-regenboog", "kdv-het-nest"}
    assert all(i["on_time"] for i in hwc.values())

    school = next(iter(received(mail, hooks, hwc["school-de-regenboog"]["key"])))
    text = f"{school['Subject']}\n{school.get_content()}"
    assert "Handle with Care" in text and "Kind Acht" in text and "01-03-2018" in text
    assert "0800-2000" in text  # whom to contact
    forbidden = [
        body["summary"],
        "Slachtoffer",
        "Pleger",
        "Kind Twee",  # the other child
        "Voorbeeldstraat",
        "huisverbod",
        "politie",
        "geweld",
        case_id,
    ]
    assert [word for word in forbidden if word.lower() in text.lower()] == []
    opvang = next(iter(received(mail, hooks, hwc["kdv-het-nest"]["key"])))
    assert "Kind Twee" in opvang.get_content() and "Kind Acht" not in opvang.get_content()


def alert_melding() -> dict:
    """Acute, from a professional: the only notification is the alert to the police webhook."""
    return melding(reporter={"kind": "professional", "organisation": "Huisartsenpraktijk"})


async def test_a_receiver_that_is_down_gets_the_message_once_it_is_back(api, mail, hooks):
    await hooks.stop()
    try:
        case_id = (await api.post("/v1/meldingen", json=alert_melding())).json()["case_id"]

        async def tried_twice():
            items = (await api.get(f"/v1/cases/{case_id}/notifications")).json()["items"]
            alert = [i for i in items if i["partner_id"] == "politie-den-haag"]
            return alert and alert[0]["attempts"] >= 2 and alert[0]

        waiting = await eventually(tried_twice)
        assert waiting["status"] in ("pending", "sending")
        assert "ConnectError" in waiting["last_error"]
    finally:
        await hooks.start()
    items = await settled(api, case_id)
    [item] = [i for i in items if i["key"] == waiting["key"]]
    assert item["status"] == "sent" and item["attempts"] >= 3
    assert len(received(mail, hooks, item["key"])) == 1


async def test_a_channel_that_keeps_failing_ends_failed_and_escalates(api, mail, hooks, settings):
    hooks.failing.add("politie-den-haag")
    try:
        case_id = (await api.post("/v1/meldingen", json=alert_melding())).json()["case_id"]
        items = await settled(api, case_id, count=2, last=":undelivered")
    finally:
        hooks.failing.discard("politie-den-haag")
    police = next(i for i in items if i["partner_id"] == "politie-den-haag")
    assert police["status"] == "failed"
    assert police["attempts"] == settings.delivery_attempts
    assert "503" in police["last_error"]
    coordinator = next(i for i in items if i["notice_key"].endswith(":undelivered"))
    assert coordinator["status"] == "sent"
    assert coordinator["address"] == "coordinator@vt-haaglanden.example"
    [escalation] = received(mail, hooks, coordinator["key"])
    assert "politie-den-haag" in escalation.get_content()

    async def on_timeline():
        case = (await api.get(f"/v1/cases/{case_id}")).json()
        return [e for e in case["timeline"] if e["kind"] == "notification_failed"]

    assert await eventually(on_timeline)
    # the coordinator's dashboard shows it as a legal duty not met, not only as an outbox row
    board = (await api.get("/v1/regions/haaglanden/dashboard")).json()
    failed = [f for f in board["failed_duties"] if f["case_id"] == case_id]
    assert [(f["partner_id"], f["title"]) for f in failed] == [
        ("politie-den-haag", "Acute onveiligheid gemeld bij Veilig Thuis")
    ]
    token = api.headers["authorization"].removeprefix("Bearer ")
    api.cookies.set(SESSION_COOKIE, token)  # the same coordinator, on the pages
    try:
        page = (await api.get("/regio/haaglanden")).text
    finally:
        api.cookies.delete(SESSION_COOKIE)
    assert "Niet bezorgde meldingen aan ketenpartners" in page


async def test_a_partner_receives_a_cloudevent_after_the_nl_gov_profile(
    api, police, mail, hooks, settings
):
    """References and a title, never the persons or the case's content: a canary put in
    everywhere through the API is nowhere in what the police's webhook received."""
    canary = f"KANARIE{uuid.uuid4().hex[:10]}"
    persons = [
        {
            "ref": "p1",
            "role": "victim",
            "name": f"{canary}-slachtoffer",
            "birth_date": "1990-04-01",
            "address": f"{canary}-straat 1",
        },
        {"ref": "p2", "role": "pleger", "name": f"{canary}-pleger", "birth_date": "1985-06-15"},
    ]
    body = melding(persons=persons, summary=f"{canary}-samenvatting")
    case_id = (await api.post("/v1/meldingen", json=body)).json()["case_id"]
    hv = await request_huisverbod(
        api, case_id, address=f"{canary}-adres", grounds=f"{canary}-feiten"
    )
    await impose_consulted(police, hv)
    items = await settled(api, case_id, count=2, last="huisverbod_imposed")
    to_police = {
        event_of(i["notice_key"]): i for i in items if i["partner_id"] == "politie-den-haag"
    }
    [imposed] = received(mail, hooks, to_police["huisverbod_imposed"]["key"])
    [alert] = received(mail, hooks, to_police["acute_unsafety"]["key"])
    for event in (imposed, alert):
        assert canary not in json.dumps(event, default=str)
        assert event.pop("time").tzinfo is not None
    assert imposed == {
        "partner": "politie-den-haag",
        "specversion": "1.0",
        "id": event_id(to_police["huisverbod_imposed"]["key"]),
        "source": "urn:nld:systeem:ketenregie",
        "type": "nl.ketenregie.huisverbod.opgelegd",
        "subject": hv,
        "datacontenttype": "application/json",
        "dataref": f"{settings.api_url}/v1/huisverboden/{hv}",
        "data": {
            "title": "Tijdelijk huisverbod opgelegd",
            "region": "haaglanden",
            "case_id": case_id,
            "huisverbod_id": hv,
        },
    }
    assert alert["type"] == "nl.ketenregie.veiligheid.acuut-onveilig"
    assert alert["subject"] == case_id
    assert alert["dataref"] == f"{settings.api_url}/v1/cases/{case_id}"
    # the partner reads more where dataref points, with its own access
    r = await police.get(imposed["dataref"].removeprefix(settings.api_url))
    assert r.status_code == 200 and r.json()["huisverbod_id"] == hv


async def test_a_redelivery_carries_the_same_event_id_and_the_partner_drops_it(api, mail, hooks):
    """The police's receiver takes the alert in, but its answer is lost: the outbox sends it
    again, the same CloudEvent (id, time, content), and the receiver knows the repeat."""
    hooks.answer_lost.add("politie-den-haag")
    try:
        case_id = (await api.post("/v1/meldingen", json=alert_melding())).json()["case_id"]
        items = await settled(api, case_id)
    finally:
        hooks.answer_lost.discard("politie-den-haag")
    [alert] = [i for i in items if i["partner_id"] == "politie-den-haag"]
    assert alert["status"] == "sent" and alert["attempts"] == 2
    first, again = received(mail, hooks, alert["key"])
    assert first == again and first["id"] == event_id(alert["key"])
    assert hooks.accepted[first["id"]] == first


async def test_a_partners_receiver_refuses_a_bad_signature_and_drops_a_repeat(hooks, settings):
    """The sink as a partner's receiver: `domain.signing.verify`, then the SDK's `from_http`,
    then the event id."""
    event = CloudEvent(
        {
            "id": str(uuid.uuid4()),
            "source": "urn:nld:systeem:ketenregie",
            "type": "nl.ketenregie.veiligheid.acuut-onveilig",
            "time": datetime.now(UTC),
        },
        {"title": "Acute onveiligheid gemeld bij Veilig Thuis"},
    )
    message = to_structured_event(event)
    secret = settings.webhook_secret("vt-haaglanden")
    now = int(time.time())
    signed = {**message.headers, **sign(secret, event.get_id(), now, message.body)}
    forged = {
        **signed,
        SIGNATURE_HEADER: sign(b"guess", event.get_id(), now, message.body)[SIGNATURE_HEADER],
    }
    stale = {**message.headers, **sign(secret, event.get_id(), now - 3600, message.body)}
    plain = b'{"melding": "geen CloudEvent"}'
    not_an_event = {"content-type": "application/json", **sign(secret, "x", now, plain)}
    url = f"http://{settings.smtp_host}:{settings.sink_port}/hooks/vt-haaglanden"
    async with httpx.AsyncClient() as partner:
        assert (await partner.post(url, content=message.body, headers=forged)).status_code == 401
        assert (await partner.post(url, content=message.body, headers=stale)).status_code == 401
        assert (await partner.post(url, content=plain, headers=not_an_event)).status_code == 400
        first = await partner.post(url, content=message.body, headers=signed)
        again = await partner.post(url, content=message.body, headers=signed)
    assert first.json() == {"duplicate": False} and again.json() == {"duplicate": True}
    assert [h["id"] for h in hooks.received].count(event.get_id()) == 2


def worker_env(s: Settings) -> dict[str, str]:
    """The environment that gives a `ketenregie worker` process these settings."""
    env = {}
    for name, value in s.model_dump().items():
        if value is not None:
            env[f"KETENREGIE_{name.upper()}"] = (
                json.dumps(value) if isinstance(value, dict) else str(value)
            )
    return env


def spawn_crashing_worker(env: dict[str, str], marker: Path, log: Path) -> subprocess.Popen:
    """A worker process that kills itself right after its first delivery was sent and recorded
    (`tests.integration.crash_worker`), writing the delivery's key to `marker`."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.crash_worker", str(marker)],
        env={**os.environ, **env},
        cwd=Path(__file__).resolve().parents[2],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


async def test_a_worker_killed_after_sending_sends_nothing_twice(settings, workdir, mail, hooks):
    """SIGKILL after the webhook went out and was recorded, before Temporal heard of it."""
    isolated = settings.model_copy(update={"task_queue": f"{settings.task_queue}-crash"})
    marker = workdir / "crashed-after-send"
    log = workdir / "crash-worker.log"
    proc = spawn_crashing_worker(worker_env(isolated), marker, log)
    app = create_app(isolated)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://ketenregie.test",
            headers={
                "authorization": f"Bearer {mint_token(isolated, org='vt-haaglanden', role='coordinator')}"
            },
        ) as api,
    ):
        case_id = (await api.post("/v1/meldingen", json=alert_melding())).json()["case_id"]
        try:
            code = await asyncio.to_thread(proc.wait, 60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError(f"no crash after a send:\n{log.read_text()}") from None
        assert code == -9, log.read_text()
        assert marker.exists()
        items = (await api.get(f"/v1/cases/{case_id}/notifications")).json()["items"]
        [alert] = [i for i in items if i["partner_id"] == "politie-den-haag"]
        assert alert["status"] == "sent" and alert["attempts"] == 1
        assert len(received(mail, hooks, alert["key"])) == 1

        restarted = WorkerRunner(isolated)
        await restarted.start()
        later = None
        try:
            # the dispatcher goes on (its cut-off round is run again) and sends the next one
            later = (await api.post("/v1/meldingen", json=alert_melding())).json()["case_id"]

            async def sent():
                items = (await api.get(f"/v1/cases/{later}/notifications")).json()["items"]
                return all(i["status"] == "sent" for i in items) and items

            await eventually(sent)
        finally:
            await restarted.stop()
            # no worker polls this queue after the test: its cases end here, so that a later
            # test commanding every case it finds (schemathesis) is not left waiting on them
            for started in {case_id, later} - {None}:
                await app.state.temporal.get_workflow_handle(case_workflow_id(started)).terminate(
                    "the test's own task queue has no worker any more"
                )
    [after] = [i for i in await _items(isolated, case_id) if i["key"] == alert["key"]]
    assert after["attempts"] == 1  # the round run again found it sent and did not try again
    assert len(received(mail, hooks, alert["key"])) == 1


async def _items(s: Settings, case_id: str) -> list[dict]:
    from store.db import create_pool
    from store.notices import deliveries_for_case

    pool = await create_pool(s.database_url, max_size=1)
    try:
        async with pool.acquire() as conn:
            return [dict(r) for r in await deliveries_for_case(conn, case_id)]
    finally:
        await pool.close()


@pytest.mark.parametrize(
    "patch, reason",
    [
        ({"wijkteam": "politie-den-haag"}, "niet het sociaal wijkteam"),
        ({"wijkteam": "elders"}, "geen partnerorganisatie"),
    ],
)
async def test_unknown_or_wrong_partners_in_a_melding_are_refused(api, patch, reason):
    r = await api.post("/v1/meldingen", json=melding(**patch))
    assert r.status_code == 422 and reason in r.text


async def test_only_a_child_has_a_school(api):
    persons = [dict(FAMILY[0], school="school-de-regenboog"), FAMILY[1]]
    r = await api.post("/v1/meldingen", json=melding(persons=persons))
    assert r.status_code == 422 and "alleen een kind heeft een school" in r.text
