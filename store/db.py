"""One asyncpg pool per process, with JSON codecs and the schema migrated."""

from __future__ import annotations

import contextlib
import json

import asyncpg

from store.migrations import migrate


class DatabaseUnreachable(ConnectionError):
    """No new connection: Postgres refused, its socket is gone, or it is starting up."""


async def connect(*args, **kwargs) -> asyncpg.Connection:
    """asyncpg's connect, with every way of finding Postgres down as one error."""
    try:
        return await asyncpg.connect(*args, **kwargs)
    except (OSError, asyncpg.exceptions.CannotConnectNowError) as e:
        raise DatabaseUnreachable(f"{type(e).__name__}: {e}") from e


async def _init(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """A released connection keeps its session, saving a round trip per use (asyncpg's
    default sends `RESET ALL`, `UNLISTEN *`, ... each time): nothing here sets session state
    or listens, the one session lock (a zaaksysteem filing's) is released in a `finally`, and
    asyncpg still rolls back a transaction left open."""


async def create_pool(dsn: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init,
        connect=connect,
        reset=_keep_session,
    )
    async with pool.acquire() as conn:
        await migrate(conn)
    return pool


async def answers(pool: asyncpg.Pool) -> None:
    """Postgres takes a query from the pool: what a health check asks of it."""
    await pool.fetchval("SELECT 1")


def atomic(conn: asyncpg.Connection) -> contextlib.AbstractAsyncContextManager:
    """A transaction, or the caller's when one is open: asyncpg would nest a savepoint, two
    more round trips for every reminder that a step's projection writes with its notices."""
    return contextlib.nullcontext() if conn.is_in_transaction() else conn.transaction()
