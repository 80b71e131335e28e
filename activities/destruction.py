"""Destroying a Veilig Thuis file: on a justified request (API) or when its retention period
has passed (a daily Temporal schedule). Its workflows stop; its rows and its data key are
deleted, which leaves its Temporal histories and any backup unreadable. Its radar pseudonyms
go with it, so later meldingen no longer match it, and so does an advice question that
became its melding.

Retention: Veilig Thuis keeps a file for twenty years (Wmo 2015 art. 5.3.4, as amended to
lengthen the Veilig Thuis retention period from five to twenty years); the period counts
here from the day the case was closed and is set by KETENREGIE_RETENTION_DAYS. An advice
question that was closed without becoming a melding is kept as long, counted from its
closing (the article speaks of Veilig Thuis's data, advice included; see docs/jurists.md).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

import asyncpg
from temporalio import activity
from temporalio.client import Client

from infra.client import terminate
from store import advice, cases, radar
from store.destruction import CaseKeys, destroy_case


class RetentionActivities:
    def __init__(self, pool: asyncpg.Pool, client: Client, case_keys: CaseKeys) -> None:
        self._pool, self._client, self._case_keys = pool, client, case_keys

    @activity.defn
    async def destroy_expired(self, closed_before: datetime) -> int:
        """Destroy every case and every advice question closed before `closed_before`;
        idempotent (what was destroyed is gone). Answers how many."""
        async with self._pool.acquire() as conn:
            expired = await cases.closed_before(conn, closed_before)
            stop = partial(terminate, self._client, reason="case destroyed")
            for case_id in expired:
                await destroy_case(conn, stop, self._case_keys, case_id)
            questions = await advice.closed_before(conn, closed_before)
            for advice_id in questions:
                async with conn.transaction():
                    await radar.forget(conn, "advice", advice_id)
                    await advice.destroy(conn, advice_id)
        return len(expired) + len(questions)
