"""`ketenregie worker` with its dispatchers in the same process, which kills itself (SIGKILL)
right after its dispatcher's first round sent a delivery and recorded it as sent, before
Temporal hears that the round completed.

    python -m tests.integration.crash_worker MARKER

How many the round sent is written to the file MARKER first; with MARKER present the worker
runs as usual. Settings come from the environment, as for `ketenregie worker`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from infra import telemetry
from infra.case_keys import PostgresKeyStore
from infra.client import connect
from infra.settings import Settings
from store.db import create_pool
from workers.main import build_dispatch_worker, build_worker


class CrashAfterSend(Interceptor):
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _CrashAfterSend(next, self.marker)


class _CrashAfterSend(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, marker: Path) -> None:
        super().__init__(next)
        self.marker = marker

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        result = await super().execute_activity(input)
        # a round of `deliver_due` answers how many it sent and recorded as sent
        sent = activity.info().activity_type == "deliver_due" and result.sent > 0
        if sent and not self.marker.exists():
            self.marker.write_text(str(result.sent), encoding="utf-8")
            os.kill(os.getpid(), signal.SIGKILL)
        return result


async def main(marker: Path) -> None:
    settings = Settings()
    telemetry.setup(settings, "worker")
    pool = await create_pool(settings.database_url)
    keys = PostgresKeyStore(await create_pool(settings.database_url, max_size=4), settings.keyring)
    client = await connect(settings, keys)
    crash = [CrashAfterSend(marker)]
    workers = [
        build_worker(client, pool, settings, keys, crash),
        build_dispatch_worker(client, pool, settings, crash),
    ]
    await asyncio.gather(*(w.run() for w in workers))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
