"""The codec endpoint (the Temporal UI's decoder) opens only payloads of the caller's cases,
and every decode is in the case's access log."""

from __future__ import annotations

import base64

import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload
from temporalio.client import Client

from domain.ids import case_workflow_id
from infra.codec import EncryptionCodec
from tests.integration.flows import open_case

pytestmark = pytest.mark.integration


async def started_input(temporal, case_id: str) -> dict:
    """A case's start payloads as the UI sends them (read without the codec)."""
    raw = await Client.connect(temporal.address)
    history = await raw.get_workflow_handle(case_workflow_id(case_id)).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes.input
    return json_format.MessageToDict(started)


async def test_a_coordinator_decodes_payloads_of_her_own_region_only(as_, api, temporal):
    amsterdam = as_("vt-amsterdam-amstelland", "coordinator")
    theirs = await open_case(
        amsterdam,
        region="amsterdam-amstelland",
        municipality="GM0363",
    )
    ours = await open_case(api)
    ui = {"x-namespace": "default"}

    refused = await api.post(
        "/codec/decode", json=await started_input(temporal, theirs), headers=ui
    )
    assert refused.status_code == 403
    assert "payloads" not in refused.json() and theirs not in refused.text
    mixed = await started_input(temporal, ours)
    mixed["payloads"] += (await started_input(temporal, theirs))["payloads"]
    assert (await api.post("/codec/decode", json=mixed, headers=ui)).status_code == 403

    r = await api.post("/codec/decode", json=await started_input(temporal, ours), headers=ui)
    assert r.status_code == 200
    [opened] = r.json()["payloads"]
    assert ours in base64.b64decode(opened["data"]).decode()  # the workflow's input, readable

    log = (await api.get("/v1/access-log", params={"caseId": ours})).json()
    assert [e["outcome"] for e in log if e["action"] == "codec.decode"][:1] == [200]
    # Amsterdam's coordinator sees in her case's log that Haaglanden tried
    log = (await amsterdam.get("/v1/access-log", params={"caseId": theirs})).json()
    tries = [(e["org"], e["outcome"]) for e in log if e["action"] == "codec.decode"]
    assert tries == [("vt-haaglanden", 403)] * 2


async def test_payloads_of_no_case_are_not_decoded(api, settings):
    """Sealed with the master key: an advice question, or ketenregie's own bookkeeping."""
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'{"vraag": "kanarie"}')
    (sealed,) = await EncryptionCodec(settings.keyring).encode([plain])
    body = {"payloads": [json_format.MessageToDict(sealed)]}
    assert (await api.post("/codec/decode", json=body)).status_code == 403


async def test_nothing_is_encoded_for_the_temporal_ui(api):
    body = {"payloads": [{"metadata": {"encoding": "anNvbi9wbGFpbg=="}, "data": "e30="}]}
    r = await api.post("/codec/encode", json=body)
    assert r.status_code == 403
    assert "via de API" in r.json()["detail"]
