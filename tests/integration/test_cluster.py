"""On the Temporal server as production runs it (ketenregie.cluster: PostgreSQL persistence
and SQL visibility, frontend, two history processes, matching and worker service): a melding,
a huisverbod imposed and extended, a reminder fired, while the history process that holds the
ban's shard is SIGKILLed with its timers pending, its shards taken over by the other, and it
is started again. Nothing lost, nothing twice, the ban ends at the moment the mayor set."""

from __future__ import annotations

import os
import signal
from collections import Counter
from datetime import datetime
from pathlib import Path

import asyncpg
import httpx
import pytest

from bench.chaos import Record, Stack, check, flow, flow_tokens
from domain.huisverbod import huisverbod_workflow_id
from tests.integration.conftest import eventually

TIME_SCALE = 0.00005  # a day lasts 4.3 s: the ten-day ban 43 s, extended about 80 s


async def owner(stack: Stack, workflow_id: str) -> str:
    """The name of the history process whose shard holds `workflow_id`: a shard's row names
    its owner's address, rewritten by each process that acquires it."""
    conn = await asyncpg.connect(stack.temporal.dsn.rsplit("/", 1)[0] + "/temporal")
    try:
        data = await conn.fetchval(
            """SELECT s.data FROM shards s JOIN executions e ON e.shard_id = s.shard_id
               WHERE e.workflow_id = $1""",
            workflow_id,
        )
    finally:
        await conn.close()
    for part in stack.temporal.of("history"):
        if data and stack.temporal.addresses[part.name].encode() in data:
            return part.name
    return ""


@pytest.mark.slow  # about 2 minutes: the extended ban runs out
async def test_nothing_is_lost_when_a_history_process_dies_with_timers_pending(workdir: Path):
    root = workdir / "cluster"
    root.mkdir()
    stack = Stack(root, TIME_SCALE, engine="cluster")
    record = Record()
    try:
        await stack.start()
        await flow(0, stack, record, flow_tokens(stack.settings))  # the first flow extends
        done = record.flows[0]
        assert "until" in done and "error" not in done, done
        case_id, hv = done["case_id"], done["huisverbod_id"]
        wid = huisverbod_workflow_id(case_id, hv)
        victim_name = await eventually(lambda: owner(stack, wid))
        victim = next(p for p in stack.temporal.of("history") if p.name == victim_name)
        police = flow_tokens(stack.settings)["police"]
        async with httpx.AsyncClient(base_url=stack.base, headers=police, timeout=30) as api:
            ban = (await api.get(f"/v1/huisverboden/{hv}")).json()
            assert ban["status"] == "extended", ban  # its end's timer is pending
            os.kill(victim.process.pid, signal.SIGKILL)
            victim.process.wait()

            async def taken_over():  # the other history process holds the shard now
                return (await owner(stack, wid)) not in ("", victim_name)

            await eventually(taken_over)
            victim.start()

            async def reminded_and_ended():
                case = (await api.get(f"/v1/cases/{case_id}")).json()
                ban = (await api.get(f"/v1/huisverboden/{hv}")).json()
                reminders = [n for n in case.get("notices", []) if n["kind"] == "reminder"]
                return ban.get("status") == "expired" and reminders and (case, ban)

            case, ban = await eventually(reminded_and_ended)
        assert victim.process.poll() is None  # it runs again

        async def all_sent():
            conn = await asyncpg.connect(stack.dsn)
            try:
                return not await conn.fetchval(
                    "SELECT count(*) FROM deliveries WHERE status <> 'sent'"
                )
            finally:
                await conn.close()

        await eventually(all_sent)
        figures = await check(stack, record, TIME_SCALE)
    finally:
        await stack.stop()
    losses = {
        name: figures[name]
        for name in (
            "lost",
            "duplicated",
            "wrong_end",
            "duplicate_notifications",
            "missing_notifications",
            "stuck",
            "failed",
            "flow_errors",
            "gave_up",
        )
    }
    assert losses == dict.fromkeys(losses, 0), figures
    assert figures["cases"] == 1
    assert datetime.fromisoformat(ban["ends_at"]) == done["until"]
    # each deadline due by then reminded once (the ban's own and the case's, some of them
    # pending while the history process was down)
    reminded = Counter(n["subject"] for n in case["notices"] if n["kind"] == "reminder")
    assert reminded and set(reminded.values()) == {1}, reminded
