"""Reconciliation: the read model and the workflows agree on what exists.

A huisverbod's read-model row is written by its workflow alone, so a row in a running
status without a workflow behind it (a phantom of an older release, or of a restore) and a
request's file whose workflow never started (the case could not be reached) are left-overs:
reported, and removed when asked. A running huisverbod workflow whose row is missing is
asked to publish again. A placement's location row that its path never took in is a
left-over too; a placement its path took in without a location row is reported (only a new
entry can bring the location back). A daily schedule runs it with repair, which also
forgets idempotency answers past their keeping time; `ketenregie reconcile` too.
"""

from __future__ import annotations

import asyncpg
from pydantic import BaseModel
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from domain.ids import huisverbod_workflow_id
from store import idempotency, placements

RUNNING = ("requested", "imposed", "extended")
ORPHANED_AFTER = "1 hour"  # a request's file younger than this may still be on its way


class ReconcileReport(BaseModel):
    rows_without_workflow: list[str] = []  # huisverbod ids
    files_without_workflow: list[str] = []
    workflows_without_row: list[str] = []
    placements_without_path: list[str] = []  # a location whose path never took it in
    placements_without_location: list[str] = []  # taken in, its location row gone
    idempotency_keys_forgotten: int = 0
    repaired: bool = False


class ReconcileActivities:
    def __init__(self, pool: asyncpg.Pool, client: Client) -> None:
        self._pool, self._client = pool, client

    async def _running(self, case_id: str, huisverbod_id: str) -> bool | None:
        """True when its workflow runs, False when it ended, None when there is none."""
        handle = self._client.get_workflow_handle(huisverbod_workflow_id(case_id, huisverbod_id))
        try:
            described = await handle.describe()
        except RPCError as e:
            if e.status == RPCStatusCode.NOT_FOUND:
                return None
            raise
        return described.status is not None and described.status.name == "RUNNING"

    @activity.defn
    async def reconcile(self, repair: bool) -> ReconcileReport:
        report = ReconcileReport(repaired=repair)
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT huisverbod_id, case_id FROM huisverboden WHERE status = ANY($1)",
                list(RUNNING),
            )
            files = await conn.fetch(
                f"""SELECT f.huisverbod_id, f.case_id FROM huisverbod_files f
                    LEFT JOIN huisverboden h USING (huisverbod_id)
                    WHERE h.huisverbod_id IS NULL
                      AND f.created_at < now() - interval '{ORPHANED_AFTER}'"""
            )
            report.placements_without_path = await placements.unconfirmed(conn, ORPHANED_AFTER)
            report.placements_without_location = await placements.without_location(conn)
        for r in rows:
            if await self._running(r["case_id"], r["huisverbod_id"]) is None:
                report.rows_without_workflow.append(r["huisverbod_id"])
        for f in files:
            running = await self._running(f["case_id"], f["huisverbod_id"])
            if running is None:
                report.files_without_workflow.append(f["huisverbod_id"])
            else:
                report.workflows_without_row.append(f["huisverbod_id"])
        if repair:
            await self._repair(report, {f["huisverbod_id"]: f["case_id"] for f in files})
        return report

    async def _repair(self, report: ReconcileReport, cases: dict[str, str]) -> None:
        gone = report.rows_without_workflow + report.files_without_workflow
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM huisverboden WHERE huisverbod_id = ANY($1)", gone)
            await conn.execute("DELETE FROM huisverbod_files WHERE huisverbod_id = ANY($1)", gone)
            await conn.execute(
                "DELETE FROM case_deadlines WHERE source = ANY($1)",
                [f"huisverbod:{h}" for h in gone],
            )
            await conn.execute(
                "DELETE FROM placements WHERE placement_id = ANY($1)",
                report.placements_without_path,
            )
            report.idempotency_keys_forgotten = await idempotency.purge(conn)
        for huisverbod_id in report.workflows_without_row:
            handle = self._client.get_workflow_handle(
                huisverbod_workflow_id(cases[huisverbod_id], huisverbod_id)
            )
            await handle.execute_update("republish")
