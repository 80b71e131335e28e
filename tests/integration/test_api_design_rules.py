"""The v1 API against the NL API Design Rules (Logius): the official linter on the document
the API serves, and problem details and the version header on real answers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from api.openapi import API_VERSION
from tests.integration.flows import open_case

RULESET = Path(__file__).parents[1] / "adr" / "linter.yaml"
TOOLS = Path(__file__).parents[2] / "tools"
PROBLEM = "application/problem+json"


async def spectral_errors(document: Path) -> list[dict]:
    """The errors the official ruleset finds in `document`."""
    binary = TOOLS / "node_modules" / ".bin" / "spectral"
    assert binary.exists(), "Spectral is missing: `./run test` installs it (npm ci in tools/)"
    proc = await asyncio.create_subprocess_exec(
        str(binary),
        "lint",
        "--ruleset",
        str(RULESET),
        "--format",
        "json",
        "--quiet",
        str(document),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert out.strip(), err.decode()
    return [r for r in json.loads(out) if r["severity"] == 0]


async def test_the_official_linter_finds_no_error_in_the_served_document(site: str, workdir):
    async with httpx.AsyncClient() as client:
        r = await client.get(
            f"{site}/v1/openapi.json", headers={"origin": "https://elders.example"}
        )
        moved = await client.get(f"{site}/openapi.json")
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"  # /core/publish-openapi
    assert r.headers["api-version"] == API_VERSION
    assert moved.status_code == 308 and moved.headers["location"] == "/v1/openapi.json"
    document = workdir / "v1-openapi.json"
    document.write_bytes(r.content)
    assert await spectral_errors(document) == []

    # the linter does find what the rules forbid: the document without its contact and with
    # an error answered as plain JSON
    broken = json.loads(r.content)
    del broken["info"]["contact"]
    responses = broken["paths"]["/meldingen"]["post"]["responses"]
    responses["404"]["content"] = {"application/json": {"schema": {"type": "object"}}}
    document.write_text(json.dumps(broken))
    assert {e["code"] for e in await spectral_errors(document)} == {
        "info-contact",
        "nlgov:use-problem-schema",
    }


def assert_problem(r: httpx.Response, status: int, instance: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    assert r.headers["api-version"] == API_VERSION
    body = r.json()
    assert body["status"] == status and body["instance"] == instance
    assert body["type"].startswith("urn:nl:ketenregie:probleem:") and body["title"]
    return body


async def test_every_error_is_problem_details_in_dutch(api: httpx.AsyncClient, as_):
    missing = await api.get("/v1/cases/bestaat-niet")
    assert assert_problem(missing, 404, "/v1/cases/bestaat-niet")["detail"] == "casus niet gevonden"

    assert missing.headers["x-content-type-options"] == "nosniff"
    assert missing.headers["cache-control"] == "no-store"
    assert missing.headers["x-frame-options"] == "DENY"
    assert_problem(await api.get("/v1/cases/"), 404, "/v1/cases/")  # no redirect

    unknown = await api.get("/v1/bestaat-niet")
    assert assert_problem(unknown, 404, "/v1/bestaat-niet")["detail"] == "deze URL bestaat niet"

    anonymous = httpx.AsyncClient(transport=api._transport, base_url=str(api.base_url))
    async with anonymous:
        assert_problem(await anonymous.get("/v1/cases"), 401, "/v1/cases")

    r = await api.post(
        "/v1/meldingen",
        json={"region": "haaglanden", "summary": "x" * 5000, "persons": "niemand"},
    )
    body = assert_problem(r, 400, "/v1/meldingen")
    by_place = {e["location"].get("pointer"): e for e in body["errors"]}
    assert by_place["/municipality"] == {
        "in": "body",
        "location": {"pointer": "/municipality"},
        "code": "missing",
        "detail": "dit veld is verplicht",
    }
    assert by_place["/persons"]["detail"] == "verwacht een lijst"
    assert "te lang: hoogstens" in by_place["/summary"]["detail"]
    assert "municipality: dit veld is verplicht" in body["detail"]

    r = await api.get("/v1/cases", params={"limit": "veel"})
    body = assert_problem(r, 400, "/v1/cases")
    assert body["errors"] == [
        {
            "in": "query",
            "location": {"name": "limit"},
            "code": "int_parsing",
            "detail": "verwacht een geheel getal",
        }
    ]

    not_json = await api.post(
        "/v1/meldingen", content=b"{kapot", headers={"content-type": "application/json"}
    )
    assert assert_problem(not_json, 400, "/v1/meldingen")["errors"][0]["detail"] == (
        "het verzoek is geen geldige JSON"
    )


async def test_the_old_query_keys_still_work_and_say_they_are_deprecated(api: httpx.AsyncClient):
    await open_case(api)
    new = await api.get("/v1/cases", params={"assignedTo": "u-nobody"})
    old = await api.get("/v1/cases", params={"assigned_to": "u-nobody"})
    assert new.status_code == old.status_code == 200
    assert new.json() == old.json() and new.json()["total"] == 0
    assert "deprecation" not in new.headers
    assert old.headers["deprecation"] == "true"
    everyone = (await api.get("/v1/cases")).json()["total"]
    assert everyone > 0, "the filter must have filtered"
