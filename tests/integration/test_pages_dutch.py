"""Every page and every form's refusal speaks Dutch: no English word, no identifier of the
code, no ISO time, never a 500. Walked as each role with pages, over cases in every state."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
import pytest
from playwright.async_api import expect

from api.auth import SESSION_COOKIE, mint_token
from api.web.case_forms import FORMS
from domain.deadlines import RULE_NAMES
from tests.integration.browsing import WAIT, shot, signed_in
from tests.integration.conftest import eventually
from tests.integration.flows import impose, open_case, request_huisverbod
from tests.integration.test_paths_api import amsterdam_today, family

# snake_case identifiers and ISO timestamps are code, not Dutch
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\d{4}-\d\d-\d\dT\d\d:\d\d")
ENGLISH = re.compile(
    r"\b(the|and|must|should|not|only|may|with|from|this|that|field|required|invalid|value|"
    r"error|found|missing|string|characters|input|expected|none|null|true|false|unknown|"
    r"reminder|escalation|request|requested|imposed|overdue|deadline|case|cases|safety|"
    r"assessment|assessed|police|mayor|office|staff|worker|coordinator|closed|referred|"
    r"meeting|court|measure|placement|child|victim|withheld|step|path|submit|choose)\b",
    re.IGNORECASE,
)
PROPER_NAMES = ("Handle with Care", "Signs of Safety")
HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1>|<[^>]+>", re.DOTALL | re.IGNORECASE)


def foreign(text: str) -> list[str]:
    for name in PROPER_NAMES:
        text = text.replace(name, "")
    return sorted({m.group(0) for pattern in (CODE, ENGLISH) for m in pattern.finditer(text)})


def shown(page: str) -> str:
    """What a person reads of a page (its text, not its markup)."""
    return html.unescape(HIDDEN.sub(" ", page))


async def _paths_case(api) -> str:
    """A family's case with a beschermtafel, MDA++ and a safety plan running."""
    case_id = await family(api)
    await api.post(
        f"/v1/cases/{case_id}/safety-assessment", json={"acute": False, "structural": True}
    )
    r = await api.post(
        f"/v1/cases/{case_id}/follow-up",
        json={"decision": "beschermtafel", "start": {"child_ref": "k1"}},
    )
    assert r.status_code == 200, r.text
    r = await api.post(f"/v1/cases/{case_id}/mda", json={"partners": ["wijkteam-den-haag-centrum"]})
    assert r.status_code == 201, r.text
    review = (amsterdam_today() + timedelta(days=14)).isoformat()
    r = await api.post(
        f"/v1/cases/{case_id}/safety-plan",
        json={
            "responsible": "wijkteam-den-haag-centrum",
            "worker": "u-1",
            "review_dates": [review],
        },
    )
    assert r.status_code == 201, r.text
    return case_id


async def _acute_case(api) -> str:
    """An acute case whose victim is in a shelter."""
    case_id = await family(api, acute=True)

    async def acute():
        items = (await api.get(f"/v1/cases/{case_id}/paths")).json()["items"]
        return next((p for p in items if p["kind"] == "acute_safety"), None)

    path = await eventually(acute)
    r = await api.post(
        f"/v1/cases/{case_id}/acute-safety/{path['path_id']}/placements",
        json={
            "person_ref": "p1",
            "kind": "vrouwenopvang",
            "provider": "opvang-haaglanden",
            "location": "Geheimstraat 1",
        },
    )
    assert r.status_code == 201, r.text
    return case_id


@pytest.fixture
async def cases(api, police) -> dict[str, str]:
    fresh = await open_case(api, unsafety={"acute": False, "structural": True})
    banned = await open_case(api, unsafety={"acute": False, "structural": True})
    await impose(police, await request_huisverbod(police, banned))

    async def imposed():
        bans = (await api.get(f"/v1/cases/{banned}")).json()["huisverboden"]
        return bans and bans[0]["status"] == "imposed"

    await eventually(imposed)
    closed = await open_case(api, unsafety={"acute": False, "structural": False})
    await api.post(
        f"/v1/cases/{closed}/safety-assessment", json={"acute": False, "structural": False}
    )
    await api.post(f"/v1/cases/{closed}/follow-up", json={"decision": "close_with_advice"})
    r = await api.post(
        "/v1/adviesvragen",
        json={"region": "haaglanden", "asker": {"kind": "anonymous"}, "question": "Zorgen."},
    )
    assert r.status_code == 201, r.text
    return {
        "fresh": fresh,
        "banned": banned,
        "closed": closed,
        "paths": await _paths_case(api),
        "acute": await _acute_case(api),
        "advice": r.json()["advice_id"],
    }


def _pages(cases: dict[str, str]) -> list[str]:
    advice = cases["advice"]
    return [
        "/regio/haaglanden",
        "/regio/haaglanden/deel",
        "/casussen",
        "/casussen?fase=triage&termijn=open",
        "/mijn-casussen",
        "/regio/haaglanden/cijfers",
        "/regio/haaglanden/cijfers?from=gisteren",
        "/adviesvragen",
        "/adviesvragen/nieuw",
        f"/adviesvragen/{advice}",
        f"/adviesvragen/{advice}/deel",
        *(f"/casus/{cases[k]}" for k in ("fresh", "banned", "closed", "paths", "acute")),
        *(f"/casus/{cases[k]}/deel" for k in ("fresh", "banned", "closed", "paths", "acute")),
        *(f"/termijnen?rule={rule}&from=2026-10-20T20:00" for rule in RULE_NAMES),
        "/termijnen?rule=huisverbod&from=9999-12-31T23:00",
        "/termijnen?rule=huisverbod&from=gisteren",
        "/casus/bestaat-niet",
        "/bestaat-niet",
        "/regio/amsterdam-amstelland/cijfers",
        f"/casussen?nummer={'9' * 41}",
    ]


def _refusals(cases: dict[str, str], case_page: str) -> list[tuple[str, dict]]:
    """Every form of the case and advice pages, sent empty and with nonsense."""
    out = []
    for key in ("fresh", "banned", "paths", "acute"):
        for name in FORMS:
            url = f"/casus/{cases[key]}/stap/{name}"
            out += [(url, {}), (url, {f.name: "onzin" for f in FORMS[name].fields})]
    forms = re.findall(r'action="(/casus/[^"]+/traject/[^"]+)"', case_page)
    assert {"child_protection", "mda", "safety_plan", "acute_safety"} <= {
        url.split("/")[4] for url in forms
    }
    for url in forms:
        out += [
            (url, {}),
            (url, {"meeting_on": "2099-12-31", "until": "morgen", "goals_hold": "x"}),
        ]
    vervolg = f"/casus/{cases['paths']}/stap/vervolg"
    out += [
        (vervolg, {"decision": "beschermtafel"}),
        (vervolg, {"decision": "mda"}),
        (vervolg, {"decision": "handover"}),
    ]
    advice = f"/adviesvragen/{cases['advice']}"
    out += [
        ("/adviesvragen/nieuw", {}),
        ("/adviesvragen/nieuw", {"vrager": "anonymous", "vraag": "x" * 2001, "gemeente": "GM9"}),
        (f"{advice}/advies", {}),
        (f"{advice}/advies", {"advies": "a" * 2001, "opvolging": "morgen"}),
        (f"{advice}/opvolging", {"volgende": "2026-13-45T99:00"}),
        (f"{advice}/sluiten", {"reden": "onzin"}),
        (f"{advice}/melding", {}),
        (f"{advice}/melding", {"acuut": "ja", "structureel": "nee", "gemeente": "GM0000"}),
    ]
    return out


async def test_no_page_or_refusal_shows_english_or_code(app, site, settings, cases):
    found: dict[str, list[str]] = {}

    def check(what: str, r: httpx.Response) -> None:
        assert r.status_code < 500, f"{what}: {r.status_code}"
        if words := foreign(shown(r.text)):
            found[what] = words

    for org, role in (("vt-haaglanden", "coordinator"), ("vt-haaglanden", "worker")):
        token = mint_token(settings, org=org, role=role)
        async with httpx.AsyncClient(base_url=site, cookies={SESSION_COOKIE: token}) as client:
            for path in _pages(cases):
                check(f"{role} GET {path}", await client.get(path))
            case_page = (await client.get(f"/casus/{cases['paths']}")).text
            case_page += (await client.get(f"/casus/{cases['acute']}")).text
            for url, data in _refusals(cases, case_page):
                for htmx in ({}, {"HX-Request": "true"}):
                    r = await client.post(url, data=data, headers=htmx)
                    check(f"{role} POST {url} {data} {htmx}", r)
    token = mint_token(settings, org="burgemeester-gm0518", role="staff")
    async with httpx.AsyncClient(base_url=site, cookies={SESSION_COOKIE: token}) as client:
        for path in ("/inbox", f"/casus/{cases['fresh']}"):
            check(f"mayor GET {path}", await client.get(path))
    async with httpx.AsyncClient(base_url=site) as client:
        check("GET /login", await client.get("/login"))
    assert not found, "\n".join(f"{k}: {v}" for k, v in found.items())


async def test_the_pages_read_dutch_in_a_browser(browser, site, cases):
    coordinator = await signed_in(browser, site, "vt-haaglanden", "coordinator", name="Kees Jansen")
    found = {}
    for path in ("/regio/haaglanden", f"/casus/{cases['paths']}", f"/casus/{cases['acute']}"):
        await coordinator.goto(f"{site}{path}")
        await expect(coordinator.locator("main")).to_be_visible(timeout=WAIT)
        await shot(coordinator, "page" + re.sub(r"[^a-z]+", "-", re.sub(r"[0-9a-f]{32}", "", path)))
        if words := foreign(await coordinator.locator("body").inner_text()):
            found[path] = words
    assert not found, found
