"""Every page and every form's refusal speaks Dutch: no English word, no identifier of the
code, no ISO time, never a 500. Walked as each role with pages, over cases in every state."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
import pytest
from playwright.async_api import expect

from api.auth import SESSION_COOKIE
from domain.catalogue import CATALOGUE
from tests.integration.browsing import WAIT, page_session, shot, signed_in
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
    await request_huisverbod(police, fresh)  # in the mayor's inbox
    assessed = await family(api)
    await api.post(
        f"/v1/cases/{assessed}/safety-assessment", json={"acute": False, "structural": True}
    )
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
        "assessed": assessed,
        "banned": banned,
        "closed": closed,
        "paths": await _paths_case(api),
        "acute": await _acute_case(api),
        "advice": r.json()["advice_id"],
    }


FORM = re.compile(r"<form\b([^>]*)>.*?</form>", re.DOTALL)
ACTION = re.compile(r'\baction="([^"]+)"')
FIELD = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')


def _forms(pages: list[str]) -> dict[str, list[str]]:
    """Every form the pages offer that sends a command: its action and its fields."""
    out: dict[str, list[str]] = {}
    for page in pages:
        for m in FORM.finditer(page):
            action = ACTION.search(m.group(1))
            if action and 'method="post"' in m.group(1).lower():
                out.setdefault(html.unescape(action.group(1)), FIELD.findall(m.group(0)))
    return out


def _refused(url: str, fields: list[str]) -> list[dict[str, str]]:
    """A form sent empty, with nonsense in every field, and with every text far too long; a
    referral without what its path asks."""
    out = [{}, dict.fromkeys(fields, "onzin"), dict.fromkeys(fields, "x" * 3000)]
    if url.endswith("/stap/vervolg"):
        out += [{"decision": "beschermtafel"}, {"decision": "mda"}, {"decision": "handover"}]
    return out


def _roles(cases: dict[str, str]) -> dict[str, tuple[str, str, list[str]]]:
    """Each role with pages: its organisation, role and the pages it opens."""
    advice = cases["advice"]
    kinds = ("fresh", "assessed", "banned", "closed", "paths", "acute")
    case_pages = [f"/casus/{cases[k]}" for k in kinds]
    veilig_thuis = [
        "/regio/haaglanden",
        "/regio/haaglanden/deel",
        "/regio/haaglanden/herstel",
        "/casussen",
        "/casussen?fase=triage&termijn=open",
        f"/casussen?nummer={'9' * 41}",
        "/mijn-casussen",
        "/regio/haaglanden/cijfers",
        "/regio/haaglanden/cijfers?from=gisteren",
        "/regio/amsterdam-amstelland/cijfers",
        "/adviesvragen",
        "/adviesvragen/nieuw",
        f"/adviesvragen/{advice}",
        f"/adviesvragen/{advice}/deel",
        *case_pages,
        *(f"{page}/deel" for page in case_pages),
        *(f"/termijnen?rule={rule}&from=2026-10-20T20:00" for rule in CATALOGUE.calculator),
        "/termijnen?rule=huisverbod&from=9999-12-31T23:00",
        "/termijnen?rule=huisverbod&from=gisteren",
        "/casus/bestaat-niet",
        "/bestaat-niet",
    ]
    police = ["/politie", "/politie/melding", f"/politie/casus/{cases['banned']}", "/bestaat-niet"]
    person = f"case.{cases['paths']}.p1"
    return {
        "coordinator": ("vt-haaglanden", "coordinator", veilig_thuis),
        "worker": ("vt-haaglanden", "worker", veilig_thuis),
        "mayor's office": (
            "burgemeester-gm0518",
            "staff",
            ["/inbox", "/inbox/deel", case_pages[0]],
        ),
        "police officer": ("politie-den-haag", "officer", police),
        "hulpofficier": ("politie-den-haag", "hulpofficier", police),
        "privacy officer": (
            "vt-haaglanden",
            "privacy_officer",
            [
                "/regio/haaglanden/inzage",
                "/regio/haaglanden/inzage?naam=Kind",
                "/regio/haaglanden/inzage?nummer=2026",
                f"/regio/haaglanden/inzage/correctie?persoon={person}",
            ],
        ),
    }


async def test_no_page_or_refusal_shows_english_or_code(app, site, settings, cases):
    found: dict[str, list[str]] = {}
    sent = set()

    def check(what: str, r: httpx.Response) -> None:
        assert r.status_code < 500, f"{what}: {r.status_code}"
        if words := foreign(shown(r.text)):
            found[what] = words

    for who, (org, role, paths) in _roles(cases).items():
        token = page_session(settings, org=org, role=role)
        async with httpx.AsyncClient(base_url=site, cookies={SESSION_COOKIE: token}) as client:
            pages = []
            for path in paths:
                r = await client.get(path)
                check(f"{who} GET {path}", r)
                pages.append(r.text)
            forms = _forms(pages)
            sent |= {url.split("/")[4] for url in forms if "/traject/" in url}
            for url, fields in forms.items():
                for data in _refused(url, fields):
                    for htmx in ({}, {"HX-Request": "true"}):
                        r = await client.post(url, data=data, headers=htmx)
                        check(f"{who} POST {url} {sorted(data)[:3]} {htmx}", r)
    async with httpx.AsyncClient(base_url=site) as client:
        check("GET /login", await client.get("/login"))
    # the walk reached the steps of every kind of path
    assert {"child_protection", "mda", "safety_plan", "acute_safety"} <= sent
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
