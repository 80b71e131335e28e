"""What an API process holds while it runs: its pools, its Temporal client and the loop that
starts the workflows of cases stored while Temporal was down."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from fastapi import FastAPI
from temporalio.service import RPCError

from domain import documents
from infra.case_keys import PostgresKeyStore
from infra.client import connect, not_reached
from infra.settings import Settings
from services import pending
from services.context import open_pool

log = logging.getLogger("ketenregie.api")
RESUME_EVERY_SECONDS = 10.0


async def resume_pending_cases(app: FastAPI) -> int:
    """Start the workflows of cases (and advice questions) stored while Temporal was
    unreachable; return how many."""
    settings = app.state.settings
    return await pending.start_pending(
        app.state.pool, app.state.temporal, settings.policy, settings.task_queue
    )


async def _resume_loop(app: FastAPI) -> None:
    while True:
        try:
            if n := await resume_pending_cases(app):
                log.info("started %d pending case workflow(s)", n)
        except (RPCError, RuntimeError) as e:
            if not not_reached(e):
                raise
            log.warning("Temporal unreachable; pending cases will be started later")
        await asyncio.sleep(RESUME_EVERY_SECONDS)


def lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The process's start and stop: one pool and one Temporal client per process, opened
    once and shared by every request through `app.state`."""

    @contextlib.asynccontextmanager
    async def running(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        settings.chain  # noqa: B018 - refuses a chain that leaves a legal duty without a recipient
        app.state.pool = await open_pool(settings.database_url)
        # The access log and the codec's case keys have connections of their own: a request
        # holds one of the main pool while it waits for Temporal (whose codec needs a key) and
        # until its response is out (when it is logged), so under load they would wait on it.
        app.state.side_pool = await open_pool(settings.database_url, min_size=1, max_size=4)
        app.state.case_keys = PostgresKeyStore(app.state.side_pool, settings.keyring)
        # lazily: the pages and reads need only Postgres, and start while Temporal is down
        app.state.temporal = await connect(settings, app.state.case_keys, lazy=True)
        resumer = asyncio.create_task(_resume_loop(app))
        # the layout engine and fonts of the written orders load in seconds: not on a download
        preloading = asyncio.create_task(asyncio.to_thread(documents.preload))
        try:
            yield
        finally:
            resumer.cancel()
            await preloading
            await app.state.pool.close()
            await app.state.side_pool.close()

    return running
