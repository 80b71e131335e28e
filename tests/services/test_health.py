"""What /healthz says, asked of stand-ins for Postgres and Temporal: Postgres and Temporal
decide the status, a missing worker is said but does not make the API unhealthy, and a part
that hangs is reported rather than holding the probe."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from services import health, zgw_checks


class Pool:
    def __init__(self, down: bool = False) -> None:
        self.down = down

    async def fetchval(self, query: str):
        if self.down:
            raise ConnectionRefusedError
        return 1


class Temporal:
    """A frontend that answers (or hangs), with these pollers on the task queue."""

    namespace = "default"

    def __init__(self, pollers: list, hangs: bool = False) -> None:
        async def check_health() -> None:
            if hangs:
                await asyncio.Event().wait()

        async def describe_task_queue(request):
            return SimpleNamespace(pollers=pollers)

        self.service_client = SimpleNamespace(check_health=check_health)
        self.workflow_service = SimpleNamespace(describe_task_queue=describe_task_queue)


@pytest.fixture(autouse=True)
def one_catalogue_check(monkeypatch):
    async def latest(pool, partner_ids=None):
        at = datetime(2026, 12, 7, 9, tzinfo=UTC)
        return [{"partner_id": "bgm", "municipality": "GM0518", "checked_at": at, "findings": []}]

    monkeypatch.setattr(zgw_checks, "latest", latest)


async def test_everything_answers_and_a_worker_polls():
    checks = await health.health(Pool(), Temporal(pollers=["w1"]), "tq")
    assert health.healthy(checks)
    assert checks["postgres"] == checks["temporal"] == checks["worker"] == "ok"
    assert checks["zaaksysteem"]["bgm"]["status"] == "ok"


async def test_no_worker_is_said_but_not_counted():
    checks = await health.health(Pool(), Temporal(pollers=[]), "tq")
    assert checks["worker"] == "down: no worker polls the task queue"
    assert health.healthy(checks)


async def test_postgres_down_is_unhealthy_and_the_catalogues_are_not_asked():
    checks = await health.health(Pool(down=True), Temporal(pollers=["w1"]), "tq")
    assert checks["postgres"] == "unreachable: ConnectionRefusedError"
    assert "zaaksysteem" not in checks
    assert not health.healthy(checks)


async def test_a_temporal_that_hangs_is_reported_and_its_worker_not_asked(monkeypatch):
    monkeypatch.setattr(health, "TIMEOUT_SECONDS", 0.01)
    checks = await health.health(Pool(), Temporal(pollers=["w1"], hangs=True), "tq")
    assert checks["temporal"] == "unreachable: TimeoutError"
    assert "worker" not in checks
    assert not health.healthy(checks)
