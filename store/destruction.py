"""Destroying one case file, for the API's request and the retention schedule alike: its
workflows stop first (`stop`, given by the caller: `infra.client.terminate`), so none writes
the file back; then its rows across the tables go, and its data key from the process's cache."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

import asyncpg

from domain.huisverbod import huisverbod_workflow_id
from domain.ids import case_workflow_id, path_workflow_id
from store import advice, cases, huisverboden, paths, radar


class CaseKeys(Protocol):
    """The process's cache of case data keys (`infra.case_keys`): a destroyed case's key
    must not linger in it."""

    def forget(self, case_id: str) -> None: ...


async def destroy_case(
    conn: asyncpg.Connection,
    stop: Callable[[list[str]], Awaitable[int]],
    case_keys: CaseKeys,
    case_id: str,
) -> int:
    """Terminate the case's workflows and delete its file and key; returns how many workflows stopped."""
    bans = await huisverboden.list_huisverboden(
        conn, None, municipality=None, status=None, case_id=case_id
    )
    case_paths = await paths.for_case(conn, case_id)
    terminated = await stop(
        [
            case_workflow_id(case_id),
            *(huisverbod_workflow_id(case_id, h["huisverbod_id"]) for h in bans),
            *(path_workflow_id(case_id, p["path_id"]) for p in case_paths),
        ]
    )
    async with conn.transaction():
        await radar.forget(conn, "melding", case_id)
        for advice_id in await advice.destroy_converted(conn, case_id):
            await radar.forget(conn, "advice", advice_id)
        await cases.destroy(conn, case_id)
    case_keys.forget(case_id)
    return terminated
