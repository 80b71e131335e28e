"""The huisverbod in Aalsmeer's zaaksysteem: the real worker, dispatcher and Postgres file it
through the ZGW APIs into a fake that validates every request against the official OpenAPI
specifications (tests/zgw: prism and openapi-core). One ban is one zaak, each decision a besluit with its written
order, the zaak's status follows the ban; a retry, a lost answer or a worker restart files
nothing twice, and a zaaksysteem that is down shows on the mayor's page."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import jwt
import pytest_asyncio

from activities.zaaksysteem import ZaaksysteemFiler, check_catalogues
from domain.zgw import day, jwt_claims
from store import notices
from store.db import create_pool
from testing.background import BackgroundServer
from tests.integration.conftest import DAY_SECONDS, ZAAKSYSTEEM_OFFICE, eventually
from tests.integration.flows import MAYOR, impose, open_case, request_huisverbod, ts
from tests.zgw.fake import FakeZaaksysteem
from tests.zgw.prism import PrismMocks

DAY = timedelta(seconds=DAY_SECONDS)
AALSMEER = {
    "region": "amsterdam-amstelland",
    "municipality": "GM0358",
    "reporter": {"kind": "police", "organisation": "Politie Amsterdam"},
}
NAMES = ("Pleger Twee", "Slachtoffer Een", "Voorbeeldstraat")


@pytest_asyncio.fixture(scope="module")
async def zaaksysteem(settings, worker):
    """Aalsmeer's zaaksysteem: the fake, each request checked by prism and openapi-core."""
    cfg = settings.chain.organisation(ZAAKSYSTEEM_OFFICE).zaaksysteem
    where = urlsplit(cfg.zaken_api)
    prism = PrismMocks()
    await asyncio.to_thread(prism.start)
    fake = FakeZaaksysteem(settings.zgw_secret(ZAAKSYSTEEM_OFFICE), cfg.client_id)
    fake.base_url = f"{where.scheme}://{where.netloc}"
    fake.prism = prism.urls
    server = BackgroundServer(fake.app, where.hostname, where.port, lifespan="off")
    await server.start()
    yield fake
    await server.stop()
    await asyncio.to_thread(prism.stop)


@pytest_asyncio.fixture(scope="module")
async def aalsmeer(as_):
    return (
        as_("vt-amsterdam-amstelland", "coordinator"),
        as_("politie-amsterdam", "hulpofficier"),
        as_(ZAAKSYSTEEM_OFFICE, "staff"),
    )


def of_zaak(fake: FakeZaaksysteem, zaak: dict) -> dict[str, list[dict]]:
    """Everything the fake holds for one zaak."""
    url = zaak["url"]
    besluiten = [b for b in fake.all("besluiten") if b["zaak"] == url]
    zios = [z for z in fake.all("zaakinformatieobjecten") if z["zaak"] == url]
    # every document named after the zaak, linked or not: a second copy would show
    documents = [
        d
        for d in fake.all("enkelvoudiginformatieobjecten")
        if d["identificatie"].startswith(zaak["identificatie"] + "-")
    ]
    return {
        "zaken": [z for z in fake.all("zaken") if z["url"] == url],
        "statussen": sorted(
            (s for s in fake.all("statussen") if s["zaak"] == url),
            key=lambda s: ts(s["datumStatusGezet"]),
        ),
        "resultaten": [r for r in fake.all("resultaten") if r["zaak"] == url],
        "besluiten": besluiten,
        "documenten": documents,
        "zaakinformatieobjecten": zios,
        "besluitinformatieobjecten": [
            b
            for b in fake.all("besluitinformatieobjecten")
            if b["besluit"] in {x["url"] for x in besluiten}
        ],
    }


def counts(filed: dict[str, list]) -> dict[str, int]:
    return {k: len(v) for k, v in filed.items()}


async def filed_once(mayor, fake: FakeZaaksysteem, hv: str, statuses: int) -> dict:
    """Wait until the ban's filing is done with `statuses` statuses; what the fake holds."""

    async def probe():
        body = (await mayor.get(f"/v1/huisverboden/{hv}")).json()
        filing = body.get("zaaksysteem") or {}
        if filing.get("status") != "filed" or not filing.get("zaak_url"):
            return None
        zaak = next(z for z in fake.all("zaken") if z["url"] == filing["zaak_url"])
        filed = of_zaak(fake, zaak)
        return filed if len(filed["statussen"]) == statuses else None

    try:
        return await eventually(probe)
    except AssertionError as e:  # say how the filing stands and what the zaaksysteem refused
        body = (await mayor.get(f"/v1/huisverboden/{hv}")).json()
        refused = [r for r in fake.requests if r[2] >= 300] + fake.requests[-25:]
        raise AssertionError(f"{e}; {body.get('zaaksysteem')}; {refused}") from None


def types(fake_cfg: dict, kind: str) -> dict[str, str]:
    return {url: name for name, url in fake_cfg[kind].items()}


# what a ban requested, imposed, extended and withdrawn leaves in the zaaksysteem
WITHDRAWN_BAN = {
    "zaken": 1,
    "statussen": 4,
    "resultaten": 1,
    "besluiten": 3,
    "documenten": 3,
    "zaakinformatieobjecten": 3,
    "besluitinformatieobjecten": 3,
}


async def impose_extend_withdraw(mayor, hv: str) -> tuple[datetime, datetime]:
    """The mayor imposes the ban, extends it by four days and withdraws it: the end of the
    ten days and the extension's end."""
    imposed = await impose(mayor, hv, decided_by=MAYOR)
    until = ts(imposed["imposed_at"]) + 14 * DAY
    r = await mayor.post(
        f"/v1/huisverboden/{hv}/extension",
        json={"until": until.isoformat(), "reason": "dreiging duurt voort", "decided_by": MAYOR},
    )
    assert r.status_code == 200, r.text
    r = await mayor.post(
        f"/v1/huisverboden/{hv}/withdrawal", json={"reason": "gevaar geweken", "decided_by": MAYOR}
    )
    assert r.status_code == 200, r.text
    return ts(imposed["ends_at"]), until


async def test_prism_and_openapi_core_both_judge_each_request(zaaksysteem, settings):
    fake = zaaksysteem
    cfg = fake.config()
    token = jwt.encode(
        jwt_claims(cfg["client_id"], datetime.now(UTC)),
        settings.zgw_secret(ZAAKSYSTEEM_OFFICE),
        "HS256",
    )
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http:
        r = await http.post(f"{cfg['besluiten_api']}/besluiten", json={"datum": "gisteren"})
        assert r.status_code == 400
        r = await http.get(f"{cfg['zaken_api']}/statussen", params={"zaak": "geen url"})
        assert r.status_code == 400
    found = [problem for _, _, problems in fake.invalid for problem in problems]
    assert any(p.startswith("prism: request.body") and "besluittype" in p for p in found)
    assert any(p.startswith("prism: request.query") for p in found)
    assert any(p.startswith("InvalidRequestBody") for p in found)
    fake.invalid.clear()
    fake.requests.clear()


async def test_a_ban_requested_imposed_extended_and_withdrawn_is_one_zaak(
    zaaksysteem, aalsmeer, settings
):
    vt, police, mayor = aalsmeer
    fake = zaaksysteem
    case_id = await open_case(vt, **AALSMEER)
    number = (await vt.get(f"/v1/cases/{case_id}")).json()["number"]
    hv = await request_huisverbod(police, case_id, address="Voorbeeldstraat 1, Aalsmeer")
    filed = await filed_once(mayor, fake, hv, 1)
    assert counts(filed)["zaken"] == 1 and filed["besluiten"] == []

    ten_days, _ = await impose_extend_withdraw(mayor, hv)

    filed = await filed_once(mayor, fake, hv, 4)
    assert counts(filed) == WITHDRAWN_BAN
    assert fake.invalid == []
    assert all(status < 300 for _, _, status in fake.requests)

    cfg = fake.config()
    zaak = filed["zaken"][0]
    assert zaak["identificatie"] == f"{number}-HV-{hv.replace('-', '')[:8]}"
    assert zaak["bronorganisatie"] == zaak["verantwoordelijkeOrganisatie"] == cfg["rsin"]
    assert zaak["zaaktype"] == cfg["zaaktype"]
    everything = json.dumps(
        {k: v for k, v in filed.items() if k != "documenten"}
        | {
            "documenten": [
                {k: v for k, v in d.items() if k != "inhoud"} for d in filed["documenten"]
            ]
        }
    )
    assert not [name for name in NAMES if name in everything]  # names only in the order itself

    statustypes = types(cfg, "statustypen")
    assert [statustypes[s["statustype"]] for s in filed["statussen"]] == [
        "aangevraagd",
        "opgelegd",
        "verlengd",
        "beeindigd",
    ]
    assert zaak["status"] == filed["statussen"][-1]["url"]  # created in the ban's order
    assert filed["resultaten"][0]["resultaattype"] == cfg["resultaattypen"]["ingetrokken"]

    besluittypes = types(cfg, "besluittypen")
    besluiten = {besluittypes[b["besluittype"]]: b for b in filed["besluiten"]}
    assert set(besluiten) == {"oplegging", "verlenging", "intrekking"}
    # withdrawn within the ten days: the oplegging and the verlenging end with it; the
    # verlenging would have taken effect when the ten days ended
    ban = (await mayor.get(f"/v1/huisverboden/{hv}")).json()
    withdrawn = day(ts(ban["withdrawal"]["at"]))
    for kind in ("oplegging", "verlenging"):
        assert besluiten[kind]["vervalreden"] == "ingetrokken_overheid"
        assert besluiten[kind]["vervaldatum"] == max(withdrawn, besluiten[kind]["ingangsdatum"])
    assert besluiten["verlenging"]["ingangsdatum"] == day(ten_days)
    assert "vervaldatum" not in besluiten["intrekking"]

    # each besluit has its written order: the very PDF the mayor's office downloads
    documents = {d["url"]: d for d in filed["documenten"]}
    for kind, besluit in besluiten.items():
        link = next(b for b in filed["besluitinformatieobjecten"] if b["besluit"] == besluit["url"])
        document = documents[link["informatieobject"]]
        pdf = await mayor.get(f"/v1/huisverboden/{hv}/beschikking.pdf", params={"soort": kind})
        assert pdf.status_code == 200
        assert base64.b64decode(document["inhoud"]) == pdf.content
        assert document["identificatie"] == besluit["identificatie"]

    body = (await mayor.get(f"/v1/huisverboden/{hv}")).json()
    assert body["zaaksysteem"] == {"status": "filed", "zaak_url": zaak["url"], "error": None}

    # a retry of every delivery (after a crash, say) creates nothing twice: found in
    # zgw_resources, and with that bookkeeping gone, found in the zaaksysteem by identificatie
    posts = sum(method == "POST" for method, _, _ in fake.requests)
    pool = await create_pool(settings.database_url, max_size=2)
    try:
        filer = ZaaksysteemFiler(
            pool, settings.chain, settings.zgw_secret, settings.policy.huisverbod
        )

        async def all_sent():  # an earlier one may still be on its way, finding its work done
            async with pool.acquire() as conn:
                rows = [
                    dict(d)
                    for d in await notices.deliveries_for_case(conn, case_id)
                    if d["audience"] == "zaaksysteem"
                ]
            return rows if {d["status"] for d in rows} == {"sent"} else None

        rows = await eventually(all_sent)
        assert len(rows) == 4
        for d in rows:
            await filer.file(d)
        async with pool.acquire() as conn:
            await conn.execute("DELETE FROM zgw_resources WHERE huisverbod_id = $1", hv)
        for d in reversed(rows):
            await filer.file(d)
        async with pool.acquire() as conn:
            kept = await conn.fetchval(
                "SELECT count(*) FROM zgw_resources WHERE huisverbod_id = $1", hv
            )
    finally:
        await pool.close()
    assert sum(method == "POST" for method, _, _ in fake.requests) == posts
    assert counts(of_zaak(fake, zaak)) == counts(filed)
    # the zaak; besluit, document and two links each; statuses and their filed moments; the
    # resultaat; the oplegging and the verlenging ended by the withdrawal
    assert kept == 1 + 3 * 4 + 4 * 2 + 1 + 2
    assert fake.invalid == []


async def test_a_lost_answer_and_a_worker_restart_file_nothing_twice(zaaksysteem, aalsmeer, worker):
    vt, police, mayor = aalsmeer
    fake = zaaksysteem
    case_id = await open_case(vt, **AALSMEER)
    # the zaaksysteem creates the zaak and the besluit, but the answers are lost on the way
    fake.lose_answer = {"zaken", "besluiten"}
    # and it takes its time over the written order: the worker stops while that is sent
    fake.slow = {"enkelvoudiginformatieobjecten": 1.5}
    try:
        hv = await request_huisverbod(police, case_id)
        before = len(fake.created)
        await impose(police, hv)  # a hulpofficier under mandate: the order is the mayor's

        async def order_on_its_way():
            return "enkelvoudiginformatieobjecten" in fake.created[before:]

        await eventually(order_on_its_way)
        await worker.stop()  # in the middle of the filing: the document is made, not booked
        await worker.start()
    finally:
        fake.slow = {}
    filed = await filed_once(mayor, fake, hv, 3)  # aangevraagd, opgelegd, and it expired
    assert counts(filed) == {
        "zaken": 1,
        "statussen": 3,
        "resultaten": 1,
        "besluiten": 1,
        "documenten": 1,
        "zaakinformatieobjecten": 1,
        "besluitinformatieobjecten": 1,
    }
    assert fake.lose_answer == set()  # both answers were lost once
    assert fake.invalid == []


async def test_a_zaaksysteem_that_is_down_shows_on_the_mayors_page(
    zaaksysteem, aalsmeer, app, settings
):
    vt, police, mayor = aalsmeer
    fake = zaaksysteem
    case_id = await open_case(vt, **AALSMEER)
    fake.down = True
    try:
        hv = await request_huisverbod(police, case_id)

        async def retrying():
            body = (await mayor.get(f"/v1/huisverboden/{hv}")).json()
            filing = body["zaaksysteem"] or {}
            return filing if filing.get("status") == "retrying" else None

        filing = await eventually(retrying)
        assert "503" in filing["error"] and filing["zaak_url"] is None
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://ketenregie.test"
        ) as browser:
            r = await browser.post(
                "/login", data={"org": ZAAKSYSTEEM_OFFICE, "role": "staff", "name": "Medewerker"}
            )
            assert r.status_code in (200, 303), r.text
            page = (await browser.get("/inbox")).text
        assert "Zaaksysteem:" in page and "mislukt, wordt opnieuw geprobeerd" in page
    finally:
        fake.down = False
    await filed_once(mayor, fake, hv, 1)
    assert fake.invalid == []


async def test_a_refusal_typed_a_minute_ahead_is_filed_with_its_order_and_ends_the_zaak(
    zaaksysteem, aalsmeer
):
    """The zaaksysteem refuses a moment after its own now: the decision typed for a minute
    ahead is filed as of its filing, and the zaak still ends."""
    vt, police, mayor = aalsmeer
    fake = zaaksysteem
    case_id = await open_case(vt, **AALSMEER)
    hv = await request_huisverbod(police, case_id)
    before = len(fake.requests)
    ahead = datetime.now(UTC) + timedelta(minutes=1)
    r = await mayor.post(
        f"/v1/huisverboden/{hv}/decision",
        json={
            "decision": "refuse",
            "reason": "onvoldoende grond",
            "decided_by": MAYOR,
            "decided_at": ahead.isoformat(),
        },
    )
    assert r.status_code == 200, r.text
    filed = await filed_once(mayor, fake, hv, 2)
    assert counts(filed) == {
        "zaken": 1,
        "statussen": 2,
        "resultaten": 1,
        "besluiten": 1,
        "documenten": 1,
        "zaakinformatieobjecten": 1,
        "besluitinformatieobjecten": 1,
    }
    assert [status for _, _, status in fake.requests[before:] if status >= 300] == []
    cfg = fake.config()
    (besluit,) = filed["besluiten"]
    assert besluit["besluittype"] == cfg["besluittypen"]["afwijzing"]
    assert "vervaldatum" not in besluit
    assert besluit["identificatie"] == filed["zaken"][0]["identificatie"] + "-AFW"
    assert filed["resultaten"][0]["resultaattype"] == cfg["resultaattypen"]["afgewezen"]
    statustypes = types(cfg, "statustypen")
    assert [statustypes[s["statustype"]] for s in filed["statussen"]] == [
        "aangevraagd",
        "beeindigd",
    ]
    assert ts(filed["statussen"][-1]["datumStatusGezet"]) < ahead
    # the refusal's written order is the zaak's and the besluit's document
    (document,) = filed["documenten"]
    pdf = await mayor.get(f"/v1/huisverboden/{hv}/beschikking.pdf", params={"soort": "afwijzing"})
    assert base64.b64decode(document["inhoud"]) == pdf.content
    assert filed["besluitinformatieobjecten"][0]["besluit"] == besluit["url"]
    assert fake.invalid == []


async def test_a_failure_says_what_to_fix_and_is_repaired_by_a_later_event_or_filing_again(
    zaaksysteem, aalsmeer, app
):
    """The municipality forgot the scope `zaken.statussen.toevoegen`: the second status is
    refused. The mayor's office reads why, in Dutch; a later event files what failed, and
    the ban's last event is filed again on request once the scope is given."""
    vt, police, mayor = aalsmeer
    fake = zaaksysteem
    case_id = await open_case(vt, **AALSMEER)

    async def failed():
        filing = (await mayor.get(f"/v1/huisverboden/{hv}")).json()["zaaksysteem"] or {}
        return filing if filing.get("status") == "failed" else None

    fake.scopes.discard("zaken.statussen.toevoegen")
    try:
        hv = await request_huisverbod(police, case_id)
        await filed_once(mayor, fake, hv, 1)
        imposed = await impose(mayor, hv, decided_by=MAYOR)
        filing = await eventually(failed)
    finally:
        fake.scopes.add("zaken.statussen.toevoegen")
    assert "slechts 1 status" in filing["error"]  # the zaaksysteem's own words
    assert "ketenregie mist een scope in het zaaksysteem" in filing["error"]
    # a later event (the extension) files what the imposition missed: no longer failed
    r = await mayor.post(
        f"/v1/huisverboden/{hv}/extension",
        json={
            "until": (ts(imposed["imposed_at"]) + 14 * DAY).isoformat(),
            "reason": "dreiging duurt voort",
            "decided_by": MAYOR,
        },
    )
    assert r.status_code == 200, r.text
    await filed_once(mayor, fake, hv, 3)
    body = (await mayor.get(f"/v1/huisverboden/{hv}")).json()
    assert body["zaaksysteem"]["status"] == "filed" and body["zaaksysteem"]["error"] is None

    # the withdrawal is the ban's last event: nothing later files it
    fake.scopes.discard("zaken.statussen.toevoegen")
    try:
        r = await mayor.post(
            f"/v1/huisverboden/{hv}/withdrawal",
            json={"reason": "gevaar geweken", "decided_by": MAYOR},
        )
        assert r.status_code == 200, r.text
        await eventually(failed)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://ketenregie.test"
        ) as browser:
            r = await browser.post(
                "/login", data={"org": ZAAKSYSTEEM_OFFICE, "role": "staff", "name": "Medewerker"}
            )
            assert r.status_code in (200, 303), r.text
            page = (await browser.get("/inbox")).text
        assert "slechts 1 status" in page and "Opnieuw vastleggen in het zaaksysteem" in page
    finally:
        fake.scopes.add("zaken.statussen.toevoegen")
    r = await mayor.post(f"/v1/huisverboden/{hv}/refiling")
    assert r.status_code == 200, r.text
    filed = await filed_once(mayor, fake, hv, 4)
    assert filed["zaken"][0]["status"] == filed["statussen"][-1]["url"]
    assert (await mayor.post(f"/v1/huisverboden/{hv}/refiling")).status_code == 409
    assert fake.invalid == []


async def test_events_filed_side_by_side_and_out_of_order_keep_the_bans_order(
    zaaksysteem, aalsmeer, settings
):
    """All of a ban's events wait (the zaaksysteem is down) and then go at once, the last
    first: the lock keyed by the huisverbod has them take turns, and whichever goes first
    files the earlier events before its own."""
    vt, police, mayor = aalsmeer
    fake = zaaksysteem
    case_id = await open_case(vt, **AALSMEER)
    pool = await create_pool(settings.database_url, max_size=6)
    fake.down = True
    try:
        hv = await request_huisverbod(police, case_id)
        await impose_extend_withdraw(mayor, hv)

        async def waiting():
            async with pool.acquire() as conn:
                rows = [
                    dict(d)
                    for d in await notices.deliveries_for_case(conn, case_id)
                    if d["audience"] == "zaaksysteem"
                ]
            return rows if len(rows) == 4 else None

        rows = await eventually(waiting)
        fake.down = False
        filer = ZaaksysteemFiler(
            pool, settings.chain, settings.zgw_secret, settings.policy.huisverbod
        )
        await asyncio.gather(*(filer.file(d) for d in reversed(rows)))
    finally:
        fake.down = False
        await pool.close()
    filed = await filed_once(mayor, fake, hv, 4)
    assert counts(filed) == WITHDRAWN_BAN
    statustypes = types(fake.config(), "statustypen")
    assert [statustypes[s["statustype"]] for s in filed["statussen"]] == [
        "aangevraagd",
        "opgelegd",
        "verlengd",
        "beeindigd",
    ]
    assert filed["zaken"][0]["status"] == filed["statussen"][-1]["url"]  # created in order
    assert fake.invalid == []


async def test_the_workers_catalogue_check_warns_on_healthz_and_the_pages(
    zaaksysteem, app, settings
):
    """The check of `ketenregie zgw check`, as the worker runs it at start-up and now and
    then: its stored result shows in /healthz and on the mayor's office's inbox and the
    region's dashboard, until a check finds the catalogue in order again."""
    fake = zaaksysteem
    verlenging = urlsplit(fake.config()["besluittypen"]["verlenging"]).path
    missing = "het besluittype verlenging bestaat niet in de catalogus"
    pool = await create_pool(settings.database_url, max_size=2)

    def browser() -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app)
        return httpx.AsyncClient(transport=transport, base_url="http://ketenregie.test")

    async def seen() -> tuple[dict, str, str]:
        async with browser() as anyone:
            health = await anyone.get("/healthz")
        assert health.status_code == 200, health.text
        pages = []
        for org, role, url in (
            (ZAAKSYSTEEM_OFFICE, "staff", "/inbox"),
            ("vt-amsterdam-amstelland", "coordinator", "/regio/amsterdam-amstelland"),
        ):
            async with browser() as person:
                r = await person.post("/login", data={"org": org, "role": role, "name": "Iemand"})
                assert r.status_code in (200, 303), r.text
                page = await person.get(url)
            assert page.status_code == 200, page.text
            pages.append(page.text)
        return health.json()["zaaksysteem"][ZAAKSYSTEEM_OFFICE], *pages

    try:
        fake.planted[verlenging] = None
        await check_catalogues(pool, settings.chain, settings.zgw_secret)
        health, inbox, dashboard = await seen()
        assert health["status"] == "warning" and health["municipality"] == "GM0358"
        assert health["findings"] == 1  # counted: what it says is for the signed-in pages
        for page in (inbox, dashboard):
            assert "de catalogus is niet in orde" in page and missing in page
        assert missing not in json.dumps(health)

        del fake.planted[verlenging]
        fake.down = True  # unreachable: said too
        await check_catalogues(pool, settings.chain, settings.zgw_secret)
        health, inbox, _ = await seen()
        assert health["status"] == "warning" and health["findings"] == 1
        assert "de catalogus kon niet gelezen worden" in inbox

        fake.down = False
        await check_catalogues(pool, settings.chain, settings.zgw_secret)
        health, inbox, dashboard = await seen()
        assert health["status"] == "ok" and health["findings"] == 0
        for page in (inbox, dashboard):
            assert "de catalogus is niet in orde" not in page
    finally:
        fake.planted.pop(verlenging, None)
        fake.down = False
        await pool.close()
