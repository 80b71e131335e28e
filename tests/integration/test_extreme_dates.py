"""No 500 on any date the schema accepts (issue 36, F12): a date or moment outside the years
the API takes is a 400 in Dutch naming the field (a page: 422), never a ValueError or an
OverflowError further on."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from api.auth import SESSION_COOKIE
from tests.integration.browsing import csrf_header, page_session
from tests.integration.flows import MAYOR, impose, melding, open_case, request_huisverbod

YEARS = "in de jaren 1900 tot en met 2200"
# the extremes a schema of `format: date-time` or `date` lets through
EXTREMES = {
    "date-time": ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"],
    "date": ["0001-01-01", "9999-12-31"],
}
# who may send each route, tried in turn until one is not refused 403
PRINCIPALS = [
    ("vt-haaglanden", "coordinator"),
    ("politie-den-haag", "hulpofficier"),
    ("burgemeester-gm0518", "staff"),
    ("burgemeester-gm0518", "jurist"),
    ("vt-haaglanden", "privacy_officer"),
    ("landelijk-netwerk-veilig-thuis", "analist"),
]


def problem_names(r: httpx.Response, where: str) -> dict[str, str]:
    """A 400's invalid fields: pointer (body) or name (query) -> the Dutch reason."""
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    key = "pointer" if where == "body" else "name"
    return {e["location"][key]: e["detail"] for e in r.json()["errors"] if e["in"] == where}


@pytest.mark.parametrize(
    "path, params",
    [
        ("/v1/regions/haaglanden/figures", {"from": "0001-01-01", "to": "9999-12-31"}),
        ("/v1/regions/haaglanden/figures", {"to": "9999-12-31"}),
        ("/v1/figures", {"from": "0001-01-01"}),
    ],
)
async def test_figures_for_extreme_years_are_400_in_dutch(as_, path, params):
    national = path == "/v1/figures"
    who = ("landelijk-netwerk-veilig-thuis", "analist") if national else PRINCIPALS[0]
    r = await as_(*who).get(path, params=params)
    found = problem_names(r, "query")
    assert set(found) == set(params) and all(YEARS in d for d in found.values())


async def test_a_melding_received_in_year_one_is_400_in_dutch(api):
    r = await api.post("/v1/meldingen", json=melding(received_at="0001-01-01T00:00+14:00"))
    assert YEARS in problem_names(r, "body")["/received_at"]


async def test_a_decision_or_extension_in_year_9999_is_400_and_the_ban_holds(api, police, mayor):
    hv = await request_huisverbod(police, await open_case(api))
    decision = {"decision": "impose", "reason": "r", "decided_by": MAYOR}
    r = await mayor.post(
        f"/v1/huisverboden/{hv}/decision", json={**decision, "decided_at": "9999-12-31T00:00Z"}
    )
    assert YEARS in problem_names(r, "body")["/decided_at"]
    imposed = await impose(police, hv)
    extension = {"until": "9999-12-31T12:00+01:00", "reason": "r", "decided_by": MAYOR}
    r = await mayor.post(f"/v1/huisverboden/{hv}/extension", json=extension)
    assert YEARS in problem_names(r, "body")["/until"]
    after = (await mayor.get(f"/v1/huisverboden/{hv}")).json()
    assert after["status"] == "imposed" and after["ends_at"] == imposed["ends_at"]


async def test_pages_refuse_extreme_dates_with_422(api, police, site, settings):
    """The inbox's extension form and the figures page: 422 with the reason, never 500."""
    hv = (await impose(police, await request_huisverbod(police, await open_case(api))))[
        "huisverbod_id"
    ]
    token = page_session(settings, "burgemeester-gm0518", "staff")
    async with httpx.AsyncClient(
        base_url=site, cookies={SESSION_COOKIE: token}, headers=csrf_header(settings, token)
    ) as page:
        r = await page.post(
            f"/inbox/{hv}/verlenging", data={"until": "9999-12-31T12:00", "reason": "r"}
        )
        assert r.status_code == 422 and YEARS in r.text
    token = page_session(settings, "vt-haaglanden", "coordinator")
    async with httpx.AsyncClient(base_url=site, cookies={SESSION_COOKIE: token}) as page:
        r = await page.get("/regio/haaglanden/cijfers", params={"from": "0001-01-01"})
        assert r.status_code == 422 and YEARS in r.text


def date_fields(spec: dict, schema: dict, at: list, seen: frozenset = frozenset()):
    """Every date and date-time in `schema`: (where, format, a body holding only the fields on
    the way to it: a union's variant keeps its discriminator, a list is a list of one)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in seen:
            yield from date_fields(spec, spec["components"]["schemas"][name], at, seen | {name})
        return
    if schema.get("format") in EXTREMES and "string" in str(schema.get("type")):
        yield at, schema["format"], {}
    tag = (schema.get("discriminator") or {}).get("propertyName")
    for variant in schema.get("oneOf", []) + schema.get("anyOf", []):
        for where, fmt, keep in date_fields(spec, variant, at, seen):
            const = _const(spec, variant, tag) if tag else None
            yield where, fmt, ({**keep, tuple(at + [tag]): const} if const else keep)
    for name, sub in schema.get("properties", {}).items():
        yield from date_fields(spec, sub, at + [name], seen)
    if "items" in schema:
        yield from date_fields(spec, schema["items"], at + [0], seen)


def _const(spec: dict, schema: dict, tag: str) -> Any:
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    prop = schema.get("properties", {}).get(tag, {})
    return prop.get("const") or (prop.get("enum") or [None])[0]


def holding(where: list, value: str, keep: dict) -> Any:
    """A JSON body with `value` at `where` and the kept discriminators."""
    body: Any = {}
    for path, v in [(tuple(where), value), *keep.items()]:
        node = body
        for key, nxt in itertools.pairwise(path):
            if isinstance(node, list):
                while len(node) <= key:
                    node.append([] if isinstance(nxt, int) else {})
                node = node[key]
            else:
                node = node.setdefault(key, [] if isinstance(nxt, int) else {})
        if isinstance(node, list):
            node.append(v)
        else:
            node[path[-1]] = v
    return body


async def test_every_date_of_the_openapi_document_is_bounded(api, as_):
    """A sweep of the document: each date and date-time of a body or query, sent at Python's
    extremes with nothing else, comes back a 400 naming that field with the years it takes."""
    spec = (await api.get("/v1/openapi.json")).json()
    base = spec["servers"][0]["url"].rstrip("/") if spec.get("servers") else ""
    clients = [as_(*who) for who in PRINCIPALS]
    tried = 0
    for path, ops in spec["paths"].items():
        url = base + path.replace("{region}", "haaglanden").replace("{", "x").replace("}", "")
        for method, op in ops.items():
            sent = []
            for prm in op.get("parameters", []):
                for _, fmt, _ in date_fields(spec, prm.get("schema", {}), []):
                    sent += [
                        ("query", prm["name"], {"params": {prm["name"]: v}}) for v in EXTREMES[fmt]
                    ]
            content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            for where, fmt, keep in date_fields(spec, content.get("schema", {}), []):
                pointer = "/" + "/".join(map(str, where))
                sent += [
                    ("body", pointer, {"json": holding(where, v, keep)}) for v in EXTREMES[fmt]
                ]
            for place, field, kwargs in sent:
                for client in clients:
                    r = await client.request(method.upper(), url, **kwargs)
                    if r.status_code != 403:
                        break
                assert r.status_code < 500, (method, url, kwargs, r.text)
                # a union's variant is named in the pointer: /meeting_scheduled/meeting_on
                found = [d for f, d in problem_names(r, place).items() if f.endswith(field)]
                assert found and YEARS in found[0], (method, url, kwargs, r.text)
                tried += 1
    assert tried >= 60  # the document's dates were found (about 70 with both extremes each)


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00+01:00"])
async def test_the_deadline_calculator_refuses_extreme_years(api, start):
    """Its `from` is read as text (a time without offset is refused with its reason): a
    year outside the range is refused the same way, never counted on into an overflow."""
    r = await api.get("/v1/deadlines/huisverbod", params={"from": start})
    assert r.status_code == 422 and f"from: moet een datum zijn {YEARS}" in r.json()["detail"]
