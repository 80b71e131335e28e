"""API steps shared by the integration tests."""

from __future__ import annotations

from datetime import datetime

from tests.integration.conftest import eventually

MAYOR = {"name": "J. Burgemeester", "capacity": "mayor"}
HULPOFFICIER = {"name": "H. Officier", "capacity": "hulpofficier"}


def melding(**overrides) -> dict:
    body = {
        "region": "haaglanden",
        "municipality": "GM0518",
        "reporter": {"kind": "police", "organisation": "Politie Den Haag"},
        "persons": [
            {"ref": "p1", "role": "victim", "name": "Slachtoffer Een", "birth_date": "1990-04-01"},
            {"ref": "p2", "role": "pleger", "name": "Pleger Twee", "birth_date": "1985-06-15"},
        ],
        "unsafety": {"acute": True, "structural": True},
        "summary": "Politie-inzet na melding van geweld in de woning.",
    }
    body.update(overrides)
    return body


async def open_case(api, **overrides) -> str:
    r = await api.post("/v1/meldingen", json=melding(**overrides))
    assert r.status_code == 201, r.text
    return r.json()["case_id"]


GROUNDS = "Slachtoffer met letsel aangetroffen; pleger dreigde terug te komen."
RISK_ASSESSMENT = [
    {"question": "Eerder huiselijk geweld gemeld", "answer": "yes"},
    {"question": "Gebruik of dreiging met wapens", "answer": "unknown"},
]


def huisverbod_request(pleger_ref: str = "p2", **overrides) -> dict:
    body = {
        "pleger_ref": pleger_ref,
        "address": "Voorbeeldstraat 1, Den Haag",
        "requested_by": {"organisation": "Politie Den Haag", "officer": "Agent Drie"},
        "grounds": GROUNDS,
        "risk_assessment": RISK_ASSESSMENT,
        "children_at_address": False,
    }
    body.update(overrides)
    return body


async def request_huisverbod(api, case_id: str, pleger_ref: str = "p2", **overrides) -> str:
    r = await api.post(
        f"/v1/cases/{case_id}/huisverbod-requests",
        json=huisverbod_request(pleger_ref, **overrides),
    )
    assert r.status_code == 201, r.text
    return r.json()["huisverbod_id"]


async def impose(api, huisverbod_id: str, decided_by=HULPOFFICIER) -> dict:
    r = await api.post(
        f"/v1/huisverboden/{huisverbod_id}/decision",
        json={
            "decision": "impose",
            "reason": "RiHG wijst op ernstig gevaar",
            "decided_by": decided_by,
        },
    )
    assert r.status_code == 200, r.text
    return r.json()


async def wait_status(api, huisverbod_id: str, status: str) -> dict:
    async def probe():
        body = (await api.get(f"/v1/huisverboden/{huisverbod_id}")).json()
        return body if body.get("status") == status else None

    return await eventually(probe)


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value)
