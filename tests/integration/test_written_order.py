"""The request's grounds and the written order (beschikking) through the real API."""

from __future__ import annotations

import io

from pypdf import PdfReader

from domain.huisverbod_order import moment
from tests.integration.flows import (
    GROUNDS,
    MAYOR,
    open_case,
    request_huisverbod,
    ts,
)


def pdf_text(body: bytes) -> str:
    """The PDF's text, with its line breaks as spaces."""
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages).split())


async def test_the_grounds_are_for_the_mayors_office_of_the_municipality(api, police, as_, mayor):
    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id, incident_at="2026-01-02T22:15:00+01:00")

    shown = (await mayor.get(f"/v1/huisverboden/{hv}")).json()
    assert shown["grounds"] == GROUNDS
    assert shown["pleger_name"] == "Pleger Twee"
    assert shown["address"] == "Voorbeeldstraat 1, Den Haag"
    assert shown["requested_by"]["officer"] == "Agent Drie"
    assert shown["risk_assessment"][0] == {
        "question": "Eerder huiselijk geweld gemeld",
        "answer": "yes",
    }
    assert shown["children_at_address"] is False and shown["veilig_thuis_consulted"] is False
    assert ts(shown["incident_at"]) == ts("2026-01-02T22:15:00+01:00")
    listed = (await mayor.get("/v1/huisverboden", params={"limit": 500})).json()["items"]
    assert [h["grounds"] for h in listed if h["huisverbod_id"] == hv] == [GROUNDS]

    delft = as_("burgemeester-gm0503", "staff")
    assert (await delft.get(f"/v1/huisverboden/{hv}")).status_code == 404
    listed = (await delft.get("/v1/huisverboden", params={"limit": 500})).json()["items"]
    assert hv not in [h["huisverbod_id"] for h in listed]

    officer = as_("politie-den-haag", "officer")  # may follow the request, not read its file
    seen = (await officer.get(f"/v1/huisverboden/{hv}")).json()
    assert seen["status"] == "requested" and seen["grounds"] is None and seen["address"] is None


async def test_a_request_without_grounds_is_refused(api, police):
    case_id = await open_case(api)
    r = await police.post(
        f"/v1/cases/{case_id}/huisverbod-requests",
        json={
            "pleger_ref": "p2",
            "address": "Voorbeeldstraat 1",
            "requested_by": {"organisation": "Politie", "officer": "A"},
            "children_at_address": False,
        },
    )
    assert r.status_code == 400 and "grounds" in r.text


async def test_children_at_the_address_need_veilig_thuis_consulted(api, police, mayor):
    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id, children_at_address=True)
    decision = {"decision": "impose", "reason": "RiHG: ernstig gevaar", "decided_by": MAYOR}
    r = await mayor.post(f"/v1/huisverboden/{hv}/decision", json=decision)
    assert r.status_code == 422 and "Wth art. 2 lid 3" in r.json()["detail"]
    r = await mayor.post(
        f"/v1/huisverboden/{hv}/decision", json={**decision, "veilig_thuis_consulted": True}
    )
    assert r.status_code == 200, r.text
    assert "veilig_thuis_consulted" in [e["kind"] for e in r.json()["timeline"]]

    # consulted before the police's request: that counts
    case_id = await open_case(api)
    hv = await request_huisverbod(
        police, case_id, children_at_address=True, veilig_thuis_consulted=True
    )
    r = await mayor.post(f"/v1/huisverboden/{hv}/decision", json=decision)
    assert r.status_code == 200, r.text


async def test_the_written_orders_for_the_mayor_veilig_thuis_and_the_police_of_the_region(
    api, police, as_, mayor
):
    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id)
    url = f"/v1/huisverboden/{hv}/beschikking.pdf"
    assert (await mayor.get(url)).status_code == 404  # nothing decided yet

    r = await mayor.post(
        f"/v1/huisverboden/{hv}/decision",
        json={
            "decision": "impose",
            "reason": "RiHG wijst op ernstig gevaar",
            "decided_by": MAYOR,
            "ordered_orally": True,
        },
    )
    assert r.status_code == 200, r.text
    imposed = r.json()
    imposed_at = ts(imposed["imposed_at"])
    until = imposed_at + (ts(imposed["max_end"]) - imposed_at) / 2
    r = await mayor.post(
        f"/v1/huisverboden/{hv}/extension",
        json={"until": until.isoformat(), "reason": "dreiging duurt voort", "decided_by": MAYOR},
    )
    assert r.status_code == 200, r.text
    assert (await mayor.get(url, params={"soort": "intrekking"})).status_code == 404
    r = await mayor.post(  # within the ban's scaled days: all at once
        f"/v1/huisverboden/{hv}/withdrawal",
        json={"reason": "dreiging geweken", "decided_by": MAYOR},
    )
    assert r.status_code == 200, r.text

    order = await mayor.get(url)
    assert order.status_code == 200 and order.headers["content-type"] == "application/pdf"
    text = pdf_text(order.content)
    assert "Beschikking tijdelijk huisverbod: oplegging" in text
    assert "'s-Gravenhage" in text and "Pleger Twee" in text and GROUNDS in text
    assert f"Einde (tien dagen) {moment(ts(imposed['ends_at']))}" in text
    assert moment(ts(imposed["max_end"])) in text
    for article in ("Wth art. 2 lid 1", "Wth art. 2 lid 6", "Wth art. 2 lid 7", "Wth art. 9 lid 1"):
        assert article in text
    assert "Awb art. 6:7" in text
    # a formal order: letterhead, kenmerk (the zaak's identificatie), addressee, rechtbank
    number = (await api.get(f"/v1/cases/{case_id}")).json()["number"]
    kenmerk = f"{number}-HV-{hv.replace('-', '')[:8]}"
    for shown in (
        "Gemeente 's-Gravenhage Spui 70",
        f"Kenmerk {kenmerk}",
        "Aan Pleger Twee Geboortedatum 15-06-1985",
        "rechtbank Den Haag",
        "Verzonden aan Pleger Twee (betrokkene), uitgereikt door de politie",
    ):
        assert shown in text, shown

    assert (await api.get(url)).status_code == 200  # Veilig Thuis of the region
    handed = await police.get(url)  # the police of the region, who hand it over
    assert handed.status_code == 200 and handed.content == order.content
    assert (await as_("politie-amsterdam", "officer").get(url)).status_code == 404
    assert (await as_("burgemeester-gm0503", "staff").get(url)).status_code == 404
    refused = await as_("wijkteam-den-haag-centrum", "worker").get(url)
    assert refused.status_code == 403 and "mag geen beschikking" in refused.json()["detail"]

    extension = await mayor.get(url, params={"soort": "verlenging"})
    assert f"tot {moment(until)}" in pdf_text(extension.content)
    withdrawal = pdf_text((await mayor.get(url, params={"soort": "intrekking"})).content)
    assert "intrekking" in withdrawal and "Wth art. 2 lid 9" in withdrawal

    log = (await api.get("/v1/access-log", params={"case_id": case_id})).json()
    downloads = [(e["org"], e["outcome"]) for e in log if e["action"] == "huisverbod.order"]
    assert ("burgemeester-gm0518", 200) in downloads and ("vt-haaglanden", 200) in downloads
    assert all(
        e["detail"].startswith("written order") for e in log if e["action"] == "huisverbod.order"
    )
