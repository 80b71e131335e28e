"""The friction a police agent, the mayor's office and Veilig Thuis met on the pages (issue
38, a-l): each found as a user would, through the pages or the API they use."""

from __future__ import annotations

import random
import re
import string
from datetime import UTC, datetime, timedelta

import httpx
from playwright.async_api import expect

from api.auth import SESSION_COOKIE
from domain.rihg import instrument
from tests.integration.browsing import csrf_header, page_session, signed_in
from tests.integration.conftest import eventually
from tests.integration.flows import impose, open_case, request_huisverbod, wait_status


def surname() -> str:
    """A name no other test's case holds."""
    return "".join(random.choice(string.ascii_lowercase) for _ in range(10)).capitalize()


def pages(site: str, settings, org: str, role: str, subject: str | None = None):
    token = page_session(settings, org=org, role=role, subject=subject)
    return httpx.AsyncClient(
        base_url=site, cookies={SESSION_COOKIE: token}, headers=csrf_header(settings, token)
    )


async def test_a_case_is_found_by_a_name_sent_in_the_body_never_in_the_url(site, settings, api):
    name = surname()
    persons = [
        {"ref": "p1", "role": "victim", "name": f"Sanne {name}", "birth_date": "1990-04-01"},
        {"ref": "p2", "role": "pleger", "name": "Pleger Twee", "birth_date": "1985-06-15"},
    ]
    case_id = await open_case(api, persons=persons)
    async with pages(site, settings, "vt-haaglanden", "coordinator") as vt:
        form = (await vt.get("/casussen")).text
        assert 'method="post" action="/casussen"' in form and 'name="naam"' in form
        r = await vt.post("/casussen", data={"naam": name})
        assert r.status_code == 200 and f"/casus/{case_id}" in r.text
        assert name not in str(r.url)
        # a surname typed in the number field is searched as a name
        r = await vt.post("/casussen", data={"nummer": name})
        assert r.status_code == 200 and f"/casus/{case_id}" in r.text
        # in a URL it is not searched, and the page says why
        r = await vt.get("/casussen", params={"nummer": name})
        assert r.status_code == 422 and "dit is geen casusnummer" in r.text
        assert f"/casus/{case_id}" not in r.text


async def test_a_wrong_role_gets_the_sign_in_form_back_with_the_reason(site):
    async with httpx.AsyncClient(base_url=site) as browser:
        login = (await browser.get("/login")).text
        labels = re.findall(r'<option value="\w+" data-kind="[a-z_]+" >([^<]+)</option>', login)
        assert "medewerker (Veilig Thuis)" in labels and len(labels) == len(set(labels))
        r = await browser.post(
            "/login", data={"org": "vt-haaglanden", "role": "staff", "name": "Anna"}
        )
        assert r.status_code == 422, r.text
        assert "bij Veilig Thuis Haaglanden hoort de rol" in r.text
        assert 'action="/login"' in r.text and 'value="Anna"' in r.text


async def test_a_coordinator_assigns_someone_of_the_directory_who_never_signed_in(
    site, settings, api
):
    case_id = await open_case(api)
    async with pages(site, settings, "vt-haaglanden", "coordinator") as vt:
        page = (await vt.get(f"/casus/{case_id}")).text
        assert "Bram Jansen (medewerker, nog nooit aangemeld)" in page
        r = await vt.post(f"/casus/{case_id}/toewijzen", data={"worker": "dev-bram-jansen"})
        assert r.status_code == 200 and "Casus toegewezen." in r.text
        assert re.search(r"<dt[^>]*>Bij</dt><dd[^>]*>Bram Jansen</dd>", r.text)  # who has it
        # someone of another organisation's directory is refused
        r = await vt.post(f"/casus/{case_id}/toewijzen", data={"worker": "dev-iemand-anders"})
        assert r.status_code == 422
    assert (await api.get(f"/v1/cases/{case_id}")).json()["assigned_to"] == "dev-bram-jansen"


async def test_veilig_thuis_records_on_the_case_page_that_the_help_started(
    site, settings, api, police
):
    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id)
    await impose(police, hv)
    await wait_status(api, hv, "imposed")
    async with pages(site, settings, "vt-haaglanden", "worker") as vt:
        page = (await vt.get(f"/casus/{case_id}")).text
        assert f"/casus/{case_id}/huisverbod/{hv}/mijlpaal" in page
        assert "de hulp voor het gezin is gestart" in page
        r = await vt.post(
            f"/casus/{case_id}/huisverbod/{hv}/mijlpaal",
            data={"milestone": "help_started", "at": ""},
            headers={"HX-Request": "true"},
        )
        assert r.status_code == 200 and "Vastgelegd: de hulp voor het gezin is gestart" in r.text
    ban = (await api.get(f"/v1/huisverboden/{hv}")).json()
    help_ = next(d for d in ban["deadlines"] if d["key"] == "help_started")
    assert help_["status"] == "met"


async def test_a_deadline_missed_when_its_procedure_ended_counts_as_passed(app, api):
    """The coordinator's dashboard lists a deadline missed because its procedure ended (as a
    help_started deadline of a ban that ended first) among the passed ones. Dated long before
    anything the other tests leave in the region, so it heads the list, most overdue first."""
    case_id = await open_case(api)
    async with app.state.pool.acquire() as conn:  # as a huisverbod that ended before the help
        await conn.execute(
            """INSERT INTO case_deadlines (case_id, source, seq, region, key, label, rule,
                                           responsible, due_at, status)
               VALUES ($1, 'huisverbod:gone', 0, 'haaglanden', 'help_started',
                       'Veilig Thuis start hulp voor het gezin', 'Wmo 2015 art. 4.1.1',
                       'veilig_thuis', $2, 'missed')""",
            case_id,
            datetime.now(UTC) - timedelta(days=400),
        )
    after = (await api.get("/v1/regions/haaglanden/dashboard")).json()
    first = after["overdue"][0]
    assert (first["case_id"], first["deadline"]) == (case_id, "help_started")
    assert after["overdue_count"] >= 1


async def test_the_request_holds_what_the_file_knows_and_waits_while_a_ban_runs(
    site, settings, api, police
):
    name = surname()
    persons = [
        {"ref": "p1", "role": "victim", "name": "Slachtoffer Een", "birth_date": "1990-04-01"},
        {
            "ref": "p2",
            "role": "pleger",
            "name": f"Kees {name}",
            "birth_date": "1985-06-15",
            "address": "Lindelaan 7, Den Haag",
        },
        {"ref": "k1", "role": "child", "name": "Kind Een", "birth_date": "2018-01-01"},
    ]
    case_id = await open_case(api, persons=persons)
    async with pages(site, settings, "politie-den-haag", "officer") as agent:
        page = (await agent.get(f"/politie/casus/{case_id}")).text
        assert 'value="Lindelaan 7, Den Haag"' in page
        assert re.search(r'name="kinderen" value="ja" checked', page)
        hv = await request_huisverbod(police, case_id)
        page = (await agent.get(f"/politie/casus/{case_id}")).text
        assert "Huisverbod aanvragen</button>" not in page and 'id="loopt-al"' in page
        listed = (await agent.get("/politie")).text
        row = re.search(rf'<tr id="verzoek-{hv}">.*?</tr>', listed, re.DOTALL).group(0)
        assert f"Kees {name}" in row


async def test_the_mayor_sees_the_rihg_signals_their_ratings_and_its_conclusion(
    site, settings, api, mayor
):
    case_id = await open_case(api)
    form = {
        "pleger": "p2",
        "adres": "Voorbeeldstraat 1, Den Haag",
        "gronden": "Slachtoffer met letsel aangetroffen.",
    }
    for s in instrument().signals:
        form[f"rihg_{s.id}"] = "high" if s.id in ("pleger_wapens", "pleger_middelen") else "low"
    async with pages(site, settings, "politie-den-haag", "officer") as agent:
        page = (await agent.get(f"/politie/casus/{case_id}")).text
        assert page.count('<select id="rihg_') == 20
        r = await agent.post(f"/politie/casus/{case_id}/huisverbod", data=form)
        assert r.status_code == 200 and "Huisverbod aangevraagd" in r.text, r.text
    ban = (await api.get(f"/v1/cases/{case_id}")).json()["huisverboden"][0]
    seen = (await mayor.get(f"/v1/huisverboden/{ban['huisverbod_id']}")).json()
    assert seen["rihg_assessment"]["points_to_ban"] is True
    assert {r["signal"]: r["rating"] for r in seen["rihg"]}["pleger_wapens"] == "high"
    async with pages(site, settings, "burgemeester-gm0518", "staff") as office:
        inbox = (await office.get("/inbox")).text
        part = re.search(rf'id="verzoek-{ban["huisverbod_id"]}".*?</form>', inbox, re.DOTALL).group(
            0
        )
        assert "De pleger heeft of kan komen aan wapens" in part and "hoog risico" in part
        assert "de pleger (2 keer hoog)" in part and "in beginsel op een huisverbod" in part


async def test_my_cases_show_each_case_s_next_deadline(site, settings, api):
    case_id = await open_case(api, unsafety={"acute": False, "structural": True})
    async with pages(site, settings, "vt-haaglanden", "worker", subject="dev-noor-el-amrani") as me:
        async with pages(site, settings, "vt-haaglanden", "coordinator") as coordinator:
            r = await coordinator.post(
                f"/casus/{case_id}/toewijzen", data={"worker": "dev-noor-el-amrani"}
            )
            assert r.status_code == 200
        mine = (await me.get("/casussen", params={"medewerker": "mij"})).text
        row = re.search(rf'<tr><td><a href="/casus/{case_id}">.*?</tr>', mine, re.DOTALL).group(0)
        assert "Volgende termijn" in mine and "veiligheidsbeoordeling:" in row


async def test_a_referral_that_starts_its_path_counts_in_the_figures(api):
    case_id = await open_case(
        api,
        persons=[
            {"ref": "p1", "role": "victim", "name": "Slachtoffer Een", "birth_date": "1990-04-01"},
            {"ref": "p2", "role": "pleger", "name": "Pleger Twee", "birth_date": "1985-06-15"},
            {"ref": "k1", "role": "child", "name": "Kind Een", "birth_date": "2018-01-01"},
        ],
        unsafety={"acute": False, "structural": True},
    )
    await api.post(
        f"/v1/cases/{case_id}/safety-assessment", json={"acute": False, "structural": True}
    )
    r = await api.post(
        f"/v1/cases/{case_id}/follow-up",
        json={"decision": "beschermtafel", "start": {"child_ref": "k1"}},
    )
    assert r.status_code == 200, r.text

    async def referred():
        kinds = [e["kind"] for e in (await api.get(f"/v1/cases/{case_id}")).json()["timeline"]]
        return "protection_referred" in kinds

    await eventually(referred)
    found = (await api.get("/v1/regions/haaglanden/figures")).json()
    counts = [q["figures"]["follow_up"]["beschermtafel"] for q in found["quarters"]]
    assert counts[-1] != 0  # suppressed (None) below the threshold, never 0


async def test_a_mail_names_the_case_by_its_number(api, police, mail):
    case_id = await open_case(api)
    number = (await api.get(f"/v1/cases/{case_id}")).json()["number"]
    await request_huisverbod(police, case_id)

    async def to_mayor():
        return [
            m
            for m in mail.accepted.values()
            if m["To"] == "huisverbod@denhaag.example" and number in m.get_content()
        ]

    [message] = (await eventually(to_mayor))[:1]
    assert f"Casus {number}" in message.get_content() and case_id not in message.get_content()


async def test_every_page_s_icon_is_there(site):
    async with httpx.AsyncClient(base_url=site) as browser:
        r = await browser.get("/favicon.ico")
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert '<link rel="icon" href="/favicon.ico"' in (await browser.get("/login")).text


async def test_sign_in_offers_its_roles_and_the_handover_partner_shows_for_a_handover(
    browser, site, api
):
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{site}/login")
    await page.select_option("#org", "politie-den-haag")
    offered = page.locator("#role option:not([hidden])")
    await expect(offered).to_have_text(
        ["hulpofficier van justitie (de politie)", "agent (de politie)"]
    )
    await page.select_option("#org", "vt-haaglanden")
    await expect(page.locator("#role option:not([hidden])")).to_have_count(3)

    case_id = await open_case(api, unsafety={"acute": False, "structural": True})
    await api.post(
        f"/v1/cases/{case_id}/safety-assessment", json={"acute": False, "structural": True}
    )
    worker = await signed_in(browser, site, "vt-haaglanden", "worker", "Wim Werker")
    await worker.goto(f"{site}/casus/{case_id}")
    form = worker.locator("form.step", has_text="Besluit over het vervolg")
    partner = form.get_by_label("Overdragen aan")
    await form.get_by_label("Vervolg").select_option(label="onderzoek door Veilig Thuis")
    await expect(partner).to_be_hidden()
    await form.get_by_label("Vervolg").select_option(value="handover")
    await expect(partner).to_be_visible()
