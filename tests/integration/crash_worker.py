"""`ketenregie worker` that kills itself (SIGKILL) right after its dispatcher's first round
sent a delivery and recorded it as sent, before Temporal hears that the round completed.

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

from infra.settings import Settings
from workers.main import serve


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


if __name__ == "__main__":
    asyncio.run(serve(Settings(), interceptors=[CrashAfterSend(Path(sys.argv[1]))]))
