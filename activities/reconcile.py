"""Reconciliation: the read model and the workflows agree on what exists.

A huisverbod's read-model row is written by its workflow alone, so a row in a running
status without a workflow behind it (a phantom of an older release, or of a restore) and a
request's file whose workflow never started (the case could not be reached) are left-overs:
reported, and removed when asked. A running huisverbod workflow whose row is missing is
asked to publish again. A placement's location row that its path never took in is a
left-over too; a placement its path took in without a location row is reported (only a new
entry can bring the location back). A daily schedule runs it with repair, which also
forgets idempotency answers past their keeping time; `ketenregie reconcile` too.

After Postgres was restored from a backup older than Temporal, `after_restore` compares every
case, huisverbod and path workflow that ran since with the read model: a row behind its
workflow (or missing) is written again from the workflow's state. A case whose data key went
with the restore can be read by no one (crypto-shredding): its workflows are stopped and kept
as lost, for the coordinator to enter the melding again. A case whose workflow was stopped
since is reported: a destruction the restore undid must be done again.
"""

from __future__ import annotations

from datetime import timedelta

import asyncpg
from pydantic import BaseModel
from temporalio import activity
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from domain.case import CaseSnapshot
from domain.catalogue import Catalogue
from domain.huisverbod import HuisverbodSnapshot, huisverbod_workflow_id
from domain.ids import case_of_workflow, case_workflow_id
from domain.procedure import PathRecord
from infra.client import REGION, terminate
from store import cases, huisverboden, idempotency, paths, placements, restore

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


# a workflow that closed this long before the restored database's last write is in it
CLOSED_MARGIN = timedelta(hours=1)
ASK_TIMEOUT = timedelta(seconds=10)  # a query needs a worker; none answering is reported


class RestoreReport(BaseModel):
    behind: list[str] = []  # workflow ids whose read model was behind or missing
    lost: list[str] = []  # workflow ids of cases whose data key went with the restore
    unanswered: list[str] = []  # workflow ids that did not answer (no worker?): run again
    # case workflows stopped since (a destruction the restore undid?): check, destroy again
    terminated: list[str] = []
    repaired: bool = False


class ReconcileActivities:
    def __init__(self, pool: asyncpg.Pool, client: Client, catalogue: Catalogue) -> None:
        self._pool, self._client = pool, client
        self._children = catalogue.case_scoped()  # the prefixes of a case's children's ids
        # the read model's table of each kind of workflow, by the prefix of its ids
        self._tables = {p.id_prefix: p.read_model[0] for p in catalogue.procedures.values()}

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

    async def after_restore(self, repair: bool) -> RestoreReport:
        """Find the workflows ahead of a restored read model; with `repair`, write their state
        again (a running one publishes it itself) and stop and keep the lost ones."""
        report = RestoreReport(repaired=repair)
        async with self._pool.acquire() as conn:
            since = await restore.latest_write(conn)
        query = "ExecutionStatus = 'Running'"
        if since is not None:
            query += f" OR CloseTime > '{(since - CLOSED_MARGIN).isoformat()}'"
        found = [
            w
            async for w in self._client.list_workflows(query)
            if w.id.partition("-")[0] in restore.READ_MODEL
            and w.status != WorkflowExecutionStatus.CONTINUED_AS_NEW  # its next run is listed
        ]
        case_ids = sorted({case_of_workflow(w.id, self._children) for w in found})
        async with self._pool.acquire() as conn:
            keyed = await restore.with_key(conn, case_ids)
        lost = [w for w in found if case_of_workflow(w.id, self._children) not in keyed]
        report.lost = sorted(w.id for w in lost)
        for w in found:
            if case_of_workflow(w.id, self._children) not in keyed:
                continue
            if w.status == WorkflowExecutionStatus.TERMINATED:
                if w.id.startswith("case-"):
                    report.terminated.append(w.id)
                continue
            await self._catch_up(w, report, repair)
        if repair and lost:
            regions = await self._regions(
                found, {case_of_workflow(w.id, self._children) for w in lost}
            )
            async with self._pool.acquire() as conn:
                await restore.record_losses(
                    conn,
                    [
                        (
                            w.id,
                            case_of_workflow(w.id, self._children),
                            w.id.partition("-")[0],
                            w.start_time,
                            regions.get(case_of_workflow(w.id, self._children)),
                        )
                        for w in lost
                    ],
                )
            running = [w.id for w in lost if w.status == WorkflowExecutionStatus.RUNNING]
            await terminate(self._client, running, "the case's data key was lost in a restore")
        return report

    async def _regions(self, found: list, case_ids: set[str]) -> dict[str, str]:
        """The region of each case, from its case workflow's search attribute (`REGION`): in
        plain beside the workflow, so known when its data key is not."""
        regions = {
            case_of_workflow(w.id, self._children): w.typed_search_attributes.get(REGION)
            for w in found
            if w.id.startswith("case-")
        }
        for case_id in case_ids - regions.keys():  # a path or ban whose case was not listed
            try:
                handle = self._client.get_workflow_handle(case_workflow_id(case_id))
                described = await handle.describe()
            except RPCError:
                continue
            regions[case_id] = described.typed_search_attributes.get(REGION)
        return {c: r for c, r in regions.items() if r is not None}

    async def _catch_up(self, w, report: RestoreReport, repair: bool) -> None:
        """Compare one workflow's state with its row; write it again when the row is behind."""
        kind = w.id.partition("-")[0]
        handle = self._client.get_workflow_handle(w.id)
        try:
            state = await handle.query("state", rpc_timeout=ASK_TIMEOUT)
        except (RPCError, WorkflowQueryFailedError):
            report.unanswered.append(w.id)
            return
        own_id = state[restore.READ_MODEL[kind][1]]
        async with self._pool.acquire() as conn:
            version = (await restore.versions(conn, kind, [own_id])).get(own_id)
        if version is not None and version >= state["version"]:
            return
        report.behind.append(w.id)
        if not repair:
            return
        if w.status == WorkflowExecutionStatus.RUNNING:
            await handle.execute_update("republish", rpc_timeout=ASK_TIMEOUT)
            return
        async with self._pool.acquire() as conn:  # a closed workflow: its last state, as it was
            await WRITE_BACK[self._tables.get(kind, "cases")](conn, state)


async def _case_row(conn: asyncpg.Connection, state: dict) -> None:
    await cases.upsert_snapshot(conn, CaseSnapshot.model_validate(state))


async def _huisverbod_row(conn: asyncpg.Connection, state: dict) -> None:
    await huisverboden.upsert_snapshot(conn, HuisverbodSnapshot.model_validate(state))


async def _path_row(conn: asyncpg.Connection, state: dict) -> None:
    keys = ("path_id", "case_id", "kind", "status", "version")
    await paths.upsert(conn, PathRecord(**{k: state[k] for k in keys}, state=state))


# how a closed workflow's last state is written back, by the table of its read model
WRITE_BACK = {"cases": _case_row, "huisverboden": _huisverbod_row, "case_paths": _path_row}
