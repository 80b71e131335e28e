"""Projects workflow state into the Postgres read model. Idempotent: a snapshot carries a
version and an older or repeated one is ignored, so retries and replays are harmless."""

from __future__ import annotations

import asyncpg
from temporalio import activity

from domain.advice import AdviceState
from domain.case import CaseSnapshot
from domain.huisverbod import HuisverbodSnapshot
from domain.procedure import PathRecord
from store import advice, cases, huisverboden, paths


class ReadModelActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn
    async def upsert_case(self, snapshot: CaseSnapshot) -> bool:
        async with self._pool.acquire() as conn:
            return await cases.upsert_snapshot(conn, snapshot)

    @activity.defn
    async def upsert_huisverbod(self, snapshot: HuisverbodSnapshot) -> bool:
        async with self._pool.acquire() as conn:
            return await huisverboden.upsert_snapshot(conn, snapshot)

    @activity.defn
    async def upsert_path(self, record: PathRecord) -> bool:
        async with self._pool.acquire() as conn:
            return await paths.upsert(conn, record)

    @activity.defn
    async def upsert_advice(self, state: AdviceState) -> bool:
        async with self._pool.acquire() as conn:
            return await advice.upsert_state(conn, state)
