"""The one door through which every reminder, escalation and alert leaves a workflow.

For now a notice is queued in the Postgres outbox (`notices`), keyed so that a retried or
replayed activity never queues it twice; delivery to people plugs in behind this table.
"""

from __future__ import annotations

import asyncpg
from temporalio import activity

from domain.models import Notice
from store import notices


class NotificationActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn
    async def queue_notice(self, notice: Notice) -> bool:
        async with self._pool.acquire() as conn:
            return await notices.queue(conn, notice)
