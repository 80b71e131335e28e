"""Canary: personal data put in through the API never appears in plaintext in Temporal."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from temporalio.api.failure.v1 import Failure
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.destruction import RetentionActivities
from domain.huisverbod import huisverbod_workflow_id
from domain.ids import case_workflow_id
from infra.case_keys import PostgresKeyStore
from infra.client import data_converter
from infra.codec import EncryptionCodec
from infra.keys import UnknownKeyError
from tests.integration.flows import melding, open_case, request_huisverbod, wait_status
from workers.main import ensure_daily_schedules
from workflows.retention import RECONCILE_SCHEDULE_ID, RETENTION_SCHEDULE_ID


async def test_no_personal_data_in_temporal_history_or_its_database(
    api, mayor, temporal, settings, caplog
):
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
                "grounds": f"{canary}-feiten en omstandigheden",
                "risk_assessment": [{"question": f"{canary}-vraag", "answer": "yes"}],
                "children_at_address": False,
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
    for wf_id in (case_workflow_id(case_id), huisverbod_workflow_id(case_id, hv)):
        history = await raw.get_workflow_handle(wf_id).fetch_history()
        assert canary not in history.to_json()
        assert canary not in wf_id

    # the worker's and the server's logs
    assert canary not in caplog.text
    assert canary not in temporal.log_file.read_text(errors="replace")

    # the dev server's SQLite files on disk
    for path in temporal.db_file.parent.glob(temporal.db_file.name + "*"):
        try:
            content = path.read_bytes()
        except FileNotFoundError:  # a journal that SQLite removed meanwhile
            continue
        assert canary.encode() not in content, path

    # and the API that decodes shows what was entered
    shown = (await api.get(f"/v1/huisverboden/{hv}")).json()
    assert shown["decision"]["reason"] == f"{canary}-reden"


async def test_destroyed_case_is_gone_and_its_history_no_longer_decodes(
    api, police, temporal, settings
):
    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id)
    raw = await Client.connect(temporal.address)
    histories = [
        await raw.get_workflow_handle(wf_id).fetch_history()
        for wf_id in (case_workflow_id(case_id), huisverbod_workflow_id(case_id, hv))
    ]
    inputs = [
        h.events[0].workflow_execution_started_event_attributes.input.payloads[0] for h in histories
    ]
    assert {p.metadata["encryption-key-id"] for p in inputs} == {f"case:{case_id}".encode()}

    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        codec = EncryptionCodec(settings.keyring, PostgresKeyStore(pool, settings.keyring))
        assert len(await codec.decode(inputs)) == 2  # readable while the case exists

        assert (
            await police.post(f"/v1/cases/{case_id}/destroy", json={"reason": "justified_request"})
        ).status_code == 403
        r = await api.post(f"/v1/cases/{case_id}/destroy", json={"reason": "justified_request"})
        # the case, its huisverbod, and whatever else of it still ran (its acute-safety path,
        # a notice on its way): each one ended
        assert r.status_code == 200 and r.json()["workflows_terminated"] >= 2
        for wf_id in (case_workflow_id(case_id), huisverbod_workflow_id(case_id, hv)):
            described = await raw.get_workflow_handle(wf_id).describe()
            assert described.status.name == "TERMINATED"
        assert (await api.get(f"/v1/cases/{case_id}")).status_code == 404
        assert (await api.get(f"/v1/huisverboden/{hv}")).status_code == 404

        fresh = EncryptionCodec(settings.keyring, PostgresKeyStore(pool, settings.keyring))
        with pytest.raises(UnknownKeyError, match="destroyed"):
            await fresh.decode(inputs)
        logged = await pool.fetch(
            "SELECT action, detail FROM access_log WHERE $1 = ANY (case_ids)", case_id
        )
        assert ("case.destroy", "vernietigd: justified_request") in [tuple(r) for r in logged]
    finally:
        await pool.close()


async def test_retention_destroys_closed_cases_only(api, worker, settings):
    closed = await open_case(api, unsafety={"acute": False, "structural": False})
    await api.post(
        f"/v1/cases/{closed}/safety-assessment", json={"acute": False, "structural": False}
    )
    assert (
        await api.post(f"/v1/cases/{closed}/follow-up", json={"decision": "close_with_advice"})
    ).json()["phase"] == "closed"
    still_open = await open_case(api)

    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        retention = RetentionActivities(
            pool, worker.client, PostgresKeyStore(pool, settings.keyring)
        )
        await retention.destroy_expired(
            datetime.now(UTC) - timedelta(days=1)
        )  # nothing closed that long ago
        assert (await api.get(f"/v1/cases/{closed}")).status_code == 200
        assert await retention.destroy_expired(datetime.now(UTC) + timedelta(seconds=1)) >= 1
    finally:
        await pool.close()
    assert (await api.get(f"/v1/cases/{closed}")).status_code == 404
    assert (await api.get(f"/v1/cases/{still_open}")).status_code == 200


async def test_the_worker_schedules_retention_and_reconciliation_daily(worker, settings):
    await ensure_daily_schedules(worker.client, settings.task_queue, settings.retention_days)
    await ensure_daily_schedules(
        worker.client, settings.task_queue, settings.retention_days
    )  # idempotent
    for schedule_id in (RETENTION_SCHEDULE_ID, RECONCILE_SCHEDULE_ID):
        described = await worker.client.get_schedule_handle(schedule_id).describe()
        assert described.schedule.spec.intervals[0].every == timedelta(days=1)


async def test_exception_text_travels_encrypted(settings):
    """A failure's message and stack go through the codec too (encoded attributes)."""
    canary = f"KANARIE{uuid.uuid4().hex[:10]}"
    converter = data_converter(settings.keyring, None)
    failure = Failure()
    try:
        raise ApplicationError(f"could not reach {canary}")
    except ApplicationError as e:
        await converter.encode_failure(e, failure)
    assert canary not in failure.SerializeToString().decode("latin-1")
    decoded = await converter.decode_failure(failure)
    assert canary in str(decoded)
