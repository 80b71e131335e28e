"""Canary: personal data put in through the API never appears in plaintext in Temporal."""

from __future__ import annotations

import uuid

from temporalio.client import Client

from tests.integration.flows import melding, wait_status
from workflows.case import case_workflow_id, huisverbod_workflow_id


async def test_no_personal_data_in_temporal_history_or_its_database(api, mayor, temporal, settings):
    canary = f"KANARIE{uuid.uuid4().hex[:10]}"
    body = melding(
        reporter={"kind": "professional", "organisation": f"{canary}-school"},
        persons=[
            {
                "ref": "p1",
                "role": "victim",
                "name": f"{canary}-slachtoffer",
                "address": f"{canary}-straat 1",
            },
            {"ref": "p2", "role": "pleger", "name": f"{canary}-pleger", "birth_date": "1980-02-02"},
        ],
        summary=f"{canary}-samenvatting",
    )
    case_id = (await api.post("/v1/meldingen", json=body)).json()["case_id"]
    hv = (
        await api.post(
            f"/v1/cases/{case_id}/huisverbod-requests",
            json={
                "pleger_ref": "p2",
                "address": f"{canary}-adres",
                "requested_by": {"organisation": "politie", "officer": f"{canary}-agent"},
            },
        )
    ).json()["huisverbod_id"]
    decided = await mayor.post(
        f"/v1/huisverboden/{hv}/decision",
        json={
            "decision": "refuse",
            "reason": f"{canary}-reden",
            "decided_by": {"name": f"{canary}-burgemeester", "capacity": "mayor"},
        },
    )
    assert decided.status_code == 200
    await wait_status(api, hv, "refused")

    # the history as anyone with access to the Temporal server sees it (no codec)
    raw = await Client.connect(temporal.address)
    for wf_id in (case_workflow_id(case_id), huisverbod_workflow_id(hv)):
        history = await raw.get_workflow_handle(wf_id).fetch_history()
        assert canary not in history.to_json()
        assert canary not in wf_id

    # the dev server's SQLite files on disk
    for path in temporal.db_file.parent.glob(temporal.db_file.name + "*"):
        assert canary.encode() not in path.read_bytes(), path

    # and the API that decodes shows what was entered
    shown = (await api.get(f"/v1/huisverboden/{hv}")).json()
    assert shown["decision"]["reason"] == f"{canary}-reden"
