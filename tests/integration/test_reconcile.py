"""Reconciliation finds what the read model and the workflows disagree on, and mends it."""

from __future__ import annotations

from activities.reconcile import ReconcileActivities
from domain.catalogue import CATALOGUE
from tests.integration.conftest import eventually
from tests.integration.flows import open_case, request_huisverbod


async def test_left_overs_are_reported_then_repaired(api, police, app, worker):
    case_id = await open_case(api)
    real = await request_huisverbod(police, case_id)
    async with app.state.pool.acquire() as conn:
        # a phantom of an older release: a row "requested" that no workflow backs
        await conn.execute(
            """INSERT INTO huisverboden (huisverbod_id, case_id, municipality, status,
                   requested_at, version, snapshot)
               VALUES ('phantom', $1, 'GM0518', 'requested', now(), 1, '{}'::jsonb)""",
            case_id,
        )
        # a request's file whose workflow never started, an hour ago
        await conn.execute(
            """INSERT INTO huisverbod_files (huisverbod_id, case_id, address, requested_by,
                   created_at) VALUES ('orphan', $1, 'Straat 1', '{}'::jsonb,
                   now() - interval '2 hours')""",
            case_id,
        )
        # a shelter's location whose path never took the placement in (its update failed)
        await conn.execute(
            """INSERT INTO placements (placement_id, case_id, path_id, person_ref, kind,
                   provider, location, created_at)
               VALUES ('unplaced', $1, 'no-path', 'p', 'vrouwenopvang', 'opvang-hgl',
                       'Geheim adres 1', now() - interval '2 hours')""",
            case_id,
        )
        # an answer kept for a retry, past its 24 hours
        await conn.execute(
            """INSERT INTO idempotency_keys (principal, key, request_hash, status, body,
                   created_at) VALUES ('old', 'k', 'h', 201, '{}'::jsonb,
                   now() - interval '25 hours')"""
        )
        # a running workflow whose row went missing (a restore of an older backup)
        await conn.execute("DELETE FROM huisverboden WHERE huisverbod_id = $1", real)
        await conn.execute(
            "UPDATE huisverbod_files SET created_at = now() - interval '2 hours'"
            " WHERE huisverbod_id = $1",
            real,
        )
    check = ReconcileActivities(app.state.pool, worker.client, CATALOGUE)
    found = await check.reconcile(False)
    assert "phantom" in found.rows_without_workflow
    assert "orphan" in found.files_without_workflow
    assert real in found.workflows_without_row
    assert found.placements_without_path == ["unplaced"]
    repaired = await check.reconcile(True)
    assert repaired.idempotency_keys_forgotten >= 1
    async with app.state.pool.acquire() as conn:
        assert not await conn.fetchval(
            "SELECT count(*) FROM placements WHERE placement_id = 'unplaced'"
        )
        assert not await conn.fetchval(
            "SELECT count(*) FROM idempotency_keys WHERE principal = 'old'"
        )

    async def mended():
        again = await check.reconcile(False)
        mine = {"phantom", "orphan", real}
        leftovers = (
            again.rows_without_workflow + again.files_without_workflow + again.workflows_without_row
        )
        return not mine & set(leftovers)

    await eventually(mended)
    assert (await api.get(f"/v1/huisverboden/{real}")).json()["status"] == "requested"
    assert (await api.get("/v1/huisverboden/phantom")).status_code == 404
