"""The 09:00 storm at raw Temporal's floor: our reminders beside raw workflows of the same shape.

    python -m bench.storm --storm 5000 [--cached 1000] [--tasks 100] [--pollers 5] [--workers 1]
        [--engine cluster]

One stack (bench.scale's: embedded Postgres, the Temporal dev server on SQLite, the worker and
the API as processes of their own, the partners' sink here), two storms after each other:

1. Raw. `--storm` `bench.noop.StormSleeper` workflows, started from here, sleep to moments
   spread over one minute, then each runs one no-op local activity, on a worker process of
   their own (plain SDK client, no codec, no Postgres) with the same cache, pollers and
   concurrency as ours; lateness = when the local activity ran minus its moment. The raw
   worker is stopped before the next storm.
2. Ours. bench.scale's storm: `--storm`/2 acute meldingen received 3 hours before that minute,
   so their safety assessment and their safe place are reminded in it (the production path:
   timer, DeadlineBook, the outbox write, the region's dispatcher, e-mail); lateness at the
   firing, in the outbox (`notices.created_at`, the raw storm's local activity counterpart)
   and at delivery.

Printed: both storms' p50/p99/max and the ratio of the p99s (outbox against raw), with the
worker's settings and the load average. `--cases` first fills that many open cases (the
storm among 50,000 cases; bench.scale's fill). What limits the figures: the dev server (one
process on SQLite, one history shard) is the floor both share, and both storms run on the two
cores shared with everything else on the machine. `--engine cluster` runs both storms on
the Temporal server as production runs it instead (ketenregie.cluster: its services as
processes of their own, history written to a PostgreSQL of its own).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from bench.noop import StormSleeper, stamp
from bench.scale import Stack, add_run_arguments, bounded, load, percentiles, spent, started
from bench.stack import Meter
from infra.settings import Settings
from ketenregie.stack import stop_process

RAW_QUEUE = "raw-storm"


async def raw_worker() -> None:
    """The raw storm's worker (`python -m bench.storm raw-worker`), until SIGTERM."""
    s = Settings()
    client = await Client.connect(s.temporal_address)
    worker = Worker(
        client,
        task_queue=RAW_QUEUE,
        workflows=[StormSleeper],
        activities=[stamp],
        max_cached_workflows=s.worker_cached_workflows,
        max_concurrent_workflow_tasks=s.worker_workflow_tasks,
        max_concurrent_workflow_task_polls=s.worker_workflow_pollers,
    )
    await worker.run()


def start_raw_worker(stack: Stack, i: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.storm", "raw-worker"],
        env={**os.environ, **stack.env},
        stdout=(stack.logs / f"raw-worker-{i}.log").open("ab"),
        stderr=subprocess.STDOUT,
    )


async def raw_storm(stack: Stack, args: argparse.Namespace) -> tuple[list[float], float]:
    """Start the sleepers, wait for their minute and for every result; their lateness, and
    the worker's CPU per reminder (ms)."""
    n = args.storm
    workers = [start_raw_worker(stack, i) for i in range(args.workers)]
    try:
        client = await Client.connect(stack.settings.temporal_address)
        lead = args.raw_lead or 60 + n / 40  # starts run at about 100/s here
        now = datetime.now(UTC)
        target = (now + timedelta(seconds=lead)).replace(second=0, microsecond=0)
        target += timedelta(minutes=1)
        print(f"raw: {n} workflows sleeping to {target:%H:%M:%S %Z} + 0..59 s")

        async def start(i: int):
            due = target + timedelta(seconds=59 * i / n)
            return await client.start_workflow(
                StormSleeper.run,
                due.isoformat(),
                id=f"raw-storm-{stack.run}-{i}",
                task_queue=RAW_QUEUE,
            )

        t = time.monotonic()
        handles, errors = await bounded(range(n), args.concurrency, start)
        left = (target - datetime.now(UTC)).total_seconds()
        print(
            f"raw: started in {time.monotonic() - t:.0f} s ({len(errors)} errors), "
            f"{left:.0f} s before the minute; {load()}"
        )
        if left < 0:
            print("raw: NOTE not all started before their moment: raise --raw-lead")
        meter = Meter(
            {
                **stack.temporal.pids(),
                "worker": [w.pid for w in workers],
            }
        )
        await asyncio.sleep(max(left - 10, 0))
        await meter.idle_for(8)
        late, errors = await bounded(handles, args.concurrency, lambda h: h.result())
        cost = spent(meter, n)
        print(f"raw: {len(late)} of {n} ran ({len(errors)} errors); {load()}")
        print(f"  lateness of the local activity   {percentiles(late, n)}")
        return late, cost["worker"]
    finally:
        for w in workers:
            stop_process(w)


def p99(values: list[float], expected: int) -> float:
    s = sorted(values)
    i = max(0, -(-99 * expected // 100) - 1)
    return s[i] if i < len(s) else float("inf")


async def main(args: argparse.Namespace) -> None:
    settings = {
        "worker_cached_workflows": args.cached,
        "worker_workflow_tasks": args.tasks,
        "worker_workflow_pollers": args.pollers,
    }
    async with started("ketenregie-storm-", args, **settings) as (_, stack, bench):
        stack.run = bench.run
        bench.cases, bench.fill_rate = [], args.fill_rate
        if args.cases:
            await bench.fill()
        raw, raw_cpu = await raw_storm(stack, args)
        ours = await bench.storm(Meter(stack.parts()))
        ratio = p99(ours["outbox"], ours["expected"]) / max(p99(raw, args.storm), 1e-3)
        worker, delivery = ours["cpu"]["worker"], ours["cpu"]["dispatchers"]
        print(
            f"storm: worker CPU per reminder {worker:.1f} ms against raw Temporal's "
            f"{raw_cpu:.1f} ms: {worker / max(raw_cpu, 1e-3):.2f}x (target 2x); with the "
            f"delivery (dispatchers, e-mail; raw has none) {worker + delivery:.1f} ms: "
            f"{(worker + delivery) / max(raw_cpu, 1e-3):.2f}x"
        )
        print(
            f"storm: p99 lateness to the outbox {p99(ours['outbox'], ours['expected']):.1f} s "
            f"against raw Temporal's {p99(raw, args.storm):.1f} s: {ratio:.2f}x "
            f"(target 1.2x); {args.workers} worker(s), cache {args.cached}, "
            f"{args.tasks} workflow tasks, {args.pollers} pollers, {args.engine} engine; {load()}"
        )


if __name__ == "__main__":
    if sys.argv[1:] == ["raw-worker"]:
        asyncio.run(raw_worker())
        sys.exit()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storm", type=int, default=5_000, help="reminders due in one minute")
    parser.add_argument("--cases", type=int, default=0, help="open cases filled first")
    parser.add_argument("--measures", type=int, default=0, help="of them with a huisverbod")
    parser.add_argument("--samples", type=int, default=0)
    parser.add_argument("--cached", type=int, default=1000, help="the worker's sticky cache")
    parser.add_argument("--tasks", type=int, default=100, help="workflow tasks at a time")
    parser.add_argument("--pollers", type=int, default=5, help="workflow task pollers")
    parser.add_argument("--fill-rate", type=float, default=30, help="cases/s, for our storm's lead")
    parser.add_argument("--raw-lead", type=float, default=None, help="seconds to raw's minute")
    add_run_arguments(parser)
    arguments = parser.parse_args()
    arguments.spread = False
    asyncio.run(main(arguments))
