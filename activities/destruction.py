"""Destroying a Veilig Thuis file: on a justified request (API) or when its retention period
has passed (a daily Temporal schedule). Its workflows stop; its rows and its data key are
deleted, which leaves its Temporal histories and any backup unreadable. Its radar pseudonyms
go with it, so later meldingen no longer match it, and so does an advice question that
became its melding.

Retention: Veilig Thuis keeps a file for twenty years (Wmo 2015 art. 5.3.4, as amended to
lengthen the Veilig Thuis retention period from five to twenty years); the period counts
here from the day the case was closed and is set by KETENREGIE_RETENTION_DAYS. An advice
question that was closed without becoming a melding is kept as long, counted from its
closing (the article speaks of Veilig Thuis's data, advice included; see the README).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import asyncpg
from temporalio import activity
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from domain.ids import case_workflow_id, huisverbod_workflow_id, path_workflow_id
from store import advice, cases, huisverboden, paths, radar


class CaseKeys(Protocol):
    """The process's cache of case data keys (`infra.case_keys`): a destroyed case's key
    must not linger in it."""

    def forget(self, case_id: str) -> None: ...


async def destroy_case(
    conn: asyncpg.Connection, client: Client, case_keys: CaseKeys, case_id: str
) -> int:
    """Terminate the case's workflows and delete its file and key; returns how many workflows stopped."""
    bans = await huisverboden.list_huisverboden(
        conn, None, municipality=None, status=None, case_id=case_id
    )
    case_paths = await paths.for_case(conn, case_id)
    terminated = 0
    for workflow_id in [
        case_workflow_id(case_id),
        *(huisverbod_workflow_id(case_id, h["huisverbod_id"]) for h in bans),
        *(path_workflow_id(case_id, p["path_id"]) for p in case_paths),
    ]:
        try:
            await client.get_workflow_handle(workflow_id).terminate(reason="case destroyed")
            terminated += 1
        except RPCError as e:
            if e.status != RPCStatusCode.NOT_FOUND:
                raise
    async with conn.transaction():
        await radar.forget(conn, "melding", case_id)
        for advice_id in await advice.destroy_converted(conn, case_id):
            await radar.forget(conn, "advice", advice_id)
        await cases.destroy(conn, case_id)
    case_keys.forget(case_id)
    return terminated


class RetentionActivities:
    def __init__(self, pool: asyncpg.Pool, client: Client, case_keys: CaseKeys) -> None:
        self._pool, self._client, self._case_keys = pool, client, case_keys

    @activity.defn
    async def destroy_expired(self, closed_before: datetime) -> int:
        """Destroy every case and every advice question closed before `closed_before`;
        idempotent (what was destroyed is gone). Answers how many."""
        async with self._pool.acquire() as conn:
            expired = await cases.closed_before(conn, closed_before)
            for case_id in expired:
                await destroy_case(conn, self._client, self._case_keys, case_id)
            questions = await advice.closed_before(conn, closed_before)
            for advice_id in questions:
                async with conn.transaction():
                    await radar.forget(conn, "advice", advice_id)
                    await advice.destroy(conn, advice_id)
        return len(expired) + len(questions)
