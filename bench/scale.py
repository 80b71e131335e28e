"""Scale: many open cases on one small stack, then command and read latency, then a reminder storm.

    python -m bench.scale --cases 50000 --measures 2000 --storm 5000

What it does, on an embedded Postgres and a Temporal dev server (SQLite file) of its own, with
the worker and the API each in a process of its own (`ketenregie worker`, `ketenregie api`,
uvicorn) and the partners' sink (SMTP + webhooks) in this process:

1. Fill. N meldingen are registered through the service layer (`services.case.open_melding`,
   the function behind POST /v1/meldingen, minus HTTP, token check and access log), from this
   process, at most `--concurrency` at a time and at most `--backlog` ahead of the worker: each
   stores its case file and read-model row and starts a real CaseWorkflow, which the worker
   process runs until it waits on the timers of its safety assessment (due in 5 working days,
   reminder at 09:00 the working day before). `--measures` of them then get a huisverbod
   requested and imposed by the mayor through `services.huisverbod` (a real
   HuisverbodWorkflow, running for ten days; its notices go to the sink). The policy is the
   production one (time scale 1, the Atw calendar), so no timer of the fill fires during the
   bench. The fill rate is N over the time until every case's deadline rows are in the read
   model, i.e. projected by its own workflow.
2. Latency, through HTTP against the API process, one request at a time, after every notice
   of the fill is delivered: a new melding (POST /v1/meldingen to 201), a huisverbod request,
   the mayor's decision on it, a case read (GET /v1/cases/{id}) and the region's dashboard.
   Then the RSS (psutil) of the worker, the API, the Temporal dev server and this process,
   the size of the dev server's SQLite file, and the longest history (events) of any case
   workflow (DescribeWorkflowExecution of each).
3. Reminder storm. The reminder "09:00 the working day before" only ever falls at 09:00
   Amsterdam time, so a bench at any hour uses the other reminder of the same policy
   (`ScaledPolicy.reminder_at`): a term under two days is reminded at 75 % of it. An acute melding
   has its safety assessment due within 4 hours, and its acute-safety path a safe place
   within 4 hours: two reminders, 3 hours after receipt. The bench registers storm/2 acute
   meldingen with `received_at` 3 hours before a chosen minute (a melding taken by telephone
   and entered later; the API accepts any past moment), spread over that minute, so
   `--storm` reminders fall due in it with real, unscaled durations and the production code
   path (timer, DeadlineBook, the outbox write, the region's dispatcher, e-mail). The minute
   is chosen so that the storm cases are started, projected and their first notices
   delivered before it (`--storm-lead` overrides). Each reminder's lateness against its `remind_at`: when its
   workflow fired it (the timeline event's time, `workflow.now()`), when its notice was in the
   outbox (`notices.created_at`) and when the mail sink accepted its e-mail
   (`deliveries.sent_at`), as p50/p99/max, and when the last one left. Their escalations (at
   4 hours) come after the bench has ended.

Figures only; nothing is asserted. What limits them: two cores shared by everything (Postgres,
the Go dev server, the worker, the API and this process, which is also the load generator and
the mail sink) and by whatever else runs on the machine (the load average is printed); the
dev server is one process on SQLite with one history shard and a mutable-state cache of about
8,000 workflows, not a production cluster; the worker runs with the SDK's defaults (a sticky
cache of 1,000 workflows, so a storm over more workflows than that replays histories); the
latency samples are sequential on an otherwise quiet system, so they show the cost of one
request among many open cases, not behaviour under concurrent load; the fill bypasses HTTP
(no token check, no access-log entry). All cases are in one region (haaglanden), the
dashboard's worst case (`--spread`: over the sample chain's three regions). `--workers 2` runs
two worker processes. The temporary directory is removed at the end unless --keep.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil

from api.auth import mint_token, principal_from
from bench.stack import BenchStack, Meter
from domain.case import MeldingIn
from domain.huisverbod import DecisionIn, HuisverbodRequestIn
from domain.ids import case_workflow_id
from infra.case_keys import PostgresKeyStore
from infra.client import connect
from services import case as case_service
from services import huisverbod as huisverbod_service
from services.context import AuditEntry, Caller, Parts
from store.db import create_pool

REGION, MAYOR_MUNICIPALITY = "haaglanden", "GM0518"
ACUTE_REMINDER = timedelta(hours=3)  # 75 % of the 4-hour acute terms (policy.reminder_at)
REQUEST = {
    "pleger_ref": "p",
    "address": "Straat 1",
    "requested_by": {"organisation": "Politie Den Haag", "officer": "Agent"},
    "grounds": "Feiten en omstandigheden.",
    "children_at_address": False,
}
DECISION = {
    "decision": "impose",
    "reason": "ernstig en onmiddellijk gevaar",
    "decided_by": {"name": "Burgemeester", "capacity": "mayor"},
}


def melding(
    tag: str, municipality: str, *, region: str = REGION, acute: bool = False, received_at=None
) -> dict:
    """A melding about two people named only here, so the radar finds no repeat."""
    body = {
        "region": region,
        "municipality": municipality,
        "reporter": {"kind": "professional", "organisation": "Huisartsenpraktijk"},
        "persons": [
            {"ref": "v", "role": "victim", "name": f"Slachtoffer {tag}"},
            {"ref": "p", "role": "pleger", "name": f"Pleger {tag}"},
        ],
        "unsafety": {"acute": acute, "structural": not acute},
        "summary": "scale bench",
    }
    if received_at is not None:
        body["received_at"] = received_at.isoformat()
    return body


def load() -> str:
    """The machine's load: other work shares the two cores, and the figures show it."""
    return "load average " + "/".join(f"{x:.1f}" for x in os.getloadavg())


def seconds(x: float) -> str:
    return f"{x * 1000:8.1f} ms" if abs(x) < 10 else f"{x:8.1f} s "


def percentiles(values: list[float], expected: int | None = None) -> str:
    """p50/p99/max by nearest rank. Of `expected`, those without a value (not there by the
    end of the wait) count as later than every value measured, so a tail that never arrived
    shows as "not yet" rather than vanishing from the figures."""
    expected = max(expected or len(values), len(values))
    if not expected:
        return "no samples"
    s = sorted(values)

    def rank(q: float) -> str:
        i = max(0, math.ceil(q * expected) - 1)
        return seconds(s[i]) if i < len(s) else "  not yet  "

    missing = f"  ({expected - len(s)} not yet)" if len(s) < expected else ""
    return f"p50 {rank(0.5)}  p99 {rank(0.99)}  max {rank(1.0)}{missing}"


async def bounded(
    items: Iterable, concurrency: int, job: Callable[..., Awaitable], every: int = 0, label=""
) -> tuple[list, list[str]]:
    """Run `job` over `items`, at most `concurrency` at a time; (results, errors). Prints the
    rate every `every` items."""
    it, results, errors = iter(items), [], []
    start = time.monotonic()

    async def lane() -> None:
        for item in it:
            try:
                results.append(await job(item))
            except Exception as e:  # noqa: BLE001 - counted and shown, the bench goes on
                errors.append(f"{type(e).__name__}: {e}"[:300])
            done = len(results) + len(errors)
            if every and done % every == 0:
                rate = done / (time.monotonic() - start)
                print(f"  {label} {done:>7} in {time.monotonic() - start:7.1f} s ({rate:6.1f}/s)")

    await asyncio.gather(*(lane() for _ in range(concurrency)))
    return results, errors


def spent(meter: Meter, reminders: int) -> dict[str, float]:
    """CPU per reminder of each part (ms): under a storm that saturates them, lateness grows
    with it, so a small storm already shows where a large one will wait."""
    wall = time.monotonic() - meter.began
    cost = {name: meter.used(name) / max(reminders, 1) * 1000 for name in meter.parts}
    print(
        f"  CPU per reminder over {wall:.0f} s: "
        + ", ".join(f"{name} {ms:.1f} ms" for name, ms in cost.items())
    )
    return cost


class Stack(BenchStack):
    """The worker and the API as processes of their own, started once."""

    def __init__(self, root: Path, workers: int = 1, **settings: Any) -> None:
        super().__init__(root, workers=workers, task_queue="scale", **settings)

    async def start(self) -> None:
        await self.start_sinks()
        await asyncio.to_thread(self.temporal.start)
        self.start_replicas()
        await self.wait_healthy()

    def parts(self) -> dict[str, list[int]]:
        """The parts' processes, for a `Meter`."""
        return {
            "Postgres": self.postgres(),
            **self.temporal.pids(),
            "worker": [w.process.pid for w in self.workers],
            "dispatchers": self.dispatchers(),
            "API": [a.process.pid for a in self.apis],
        }

    def dispatchers(self) -> list[int]:
        """The workers' dispatcher processes (`ketenregie dispatcher`, a child of each): the
        delivery of the reminders, which raw Temporal's storm has no counterpart of."""
        found = []
        for w in self.workers:
            with contextlib.suppress(psutil.NoSuchProcess):
                found += [
                    c.pid
                    for c in psutil.Process(w.process.pid).children()
                    if "dispatcher" in c.cmdline()
                ]
        return found


class Bench:
    def __init__(self, stack: Stack, args: argparse.Namespace) -> None:
        self.stack, self.args, self.settings = stack, args, stack.settings
        self.run = uuid.uuid4().hex[:6]  # names differ between runs and phases
        self.rng = random.Random(7)

    async def connect(self) -> None:
        s = self.settings
        self.pool = await create_pool(s.database_url, max_size=self.args.concurrency + 4)
        self.keys_pool = await create_pool(s.database_url, max_size=8)
        self.client = await connect(s, PostgresKeyStore(self.keys_pool, s.keyring))
        self.parts = Parts(
            pool=self.pool,
            client=self.client,
            chain=s.chain,
            policy=s.policy,
            task_queue=s.task_queue,
            radar=s.radar,
            figures_threshold=s.figures_threshold,
        )
        self.coordinators = {
            r.slug: principal_from(
                s, {"org": f"vt-{r.slug}", "role": "coordinator", "sub": "scale-bench"}
            )
            for r in s.chain.regions
        }
        self.coordinator = self.coordinators[REGION]
        self.mayor = principal_from(
            s, {"org": "burgemeester-gm0518", "role": "staff", "sub": "scale-bench"}
        )

    def caller(self, principal) -> Caller:
        return Caller(principal, AuditEntry({}))

    async def open_case(self, tag: str, municipality: str, region: str = REGION, **kw) -> str:
        body = MeldingIn.model_validate(melding(tag, municipality, region=region, **kw))
        case_id, _, orchestration = await case_service.open_melding(
            self.parts, self.caller(self.coordinators[region]), body
        )
        if orchestration != "started":
            raise RuntimeError(f"case {case_id}: orchestration {orchestration}")
        return case_id

    async def impose(self, case_id: str) -> str:
        request = HuisverbodRequestIn.model_validate(REQUEST)
        hv = await huisverbod_service.request(
            self.parts, self.caller(self.coordinator), case_id, request
        )
        decision = DecisionIn.model_validate(DECISION)
        await huisverbod_service.decide(self.parts, self.caller(self.mayor), hv, decision)
        return hv

    async def projected(self, case_ids: list[str], rows_per_case: int, timeout: float) -> float:
        """Wait until each case has its deadline rows in the read model; seconds waited."""
        start = time.monotonic()
        while True:
            n = await self.pool.fetchval(
                "SELECT count(*) FROM case_deadlines WHERE case_id = ANY($1)", case_ids
            )
            if n >= rows_per_case * len(case_ids) or time.monotonic() - start > timeout:
                if n < rows_per_case * len(case_ids):
                    print(
                        f"  only {n} of {rows_per_case * len(case_ids)} deadline rows after {timeout:.0f} s"
                    )
                return time.monotonic() - start
            await asyncio.sleep(1)

    async def quiet(self, timeout: float) -> float:
        """Wait until no delivery is pending (nor a notify workflow of the old shape running)."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            pending = await self.pool.fetchval(
                "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')"
            )
            running = await self.client.count_workflows(
                "WorkflowType = 'NotifyWorkflow' AND ExecutionStatus = 'Running'"
            )
            if not pending and not running.count:
                break
            await asyncio.sleep(1)
        return time.monotonic() - start

    # --- 1. fill ---

    async def fill(self) -> None:
        a = self.args
        a.measures = min(a.measures, a.cases // 10)
        a.samples = min(a.samples, a.cases - a.measures)
        regions = self.settings.chain.regions if a.spread else [self.settings.chain.region(REGION)]
        places = [(r.slug, m.code) for r in regions for m in r.municipalities]
        # the mayor of GM0518 decides: the huisverboden (and the decision samples) are there
        reserved = a.measures + a.samples

        def place(i: int) -> tuple[str, str]:
            return (REGION, MAYOR_MUNICIPALITY) if i < reserved else places[i % len(places)]

        print(
            f"fill: {a.cases} meldingen through the service layer, concurrency {a.concurrency}, "
            f"at most {a.backlog or 'any number of'} cases started but not yet projected"
        )
        start = time.monotonic()

        done = {"registered": 0, "projected": 0}

        async def follow() -> None:
            """How many cases the worker has projected so far (one deadline row each)."""
            while True:
                done["projected"] = await self.pool.fetchval(
                    "SELECT count(*) FROM case_deadlines WHERE source = 'case'"
                )
                await asyncio.sleep(0.5)

        async def open_one(i: int) -> tuple[str, str, str]:
            while a.backlog and done["registered"] - done["projected"] >= a.backlog:
                await asyncio.sleep(0.1)
            done["registered"] += 1
            region, municipality = place(i)
            case_id = await self.open_case(f"{self.run}-{i}", municipality, region=region)
            return case_id, region, municipality

        follower = asyncio.create_task(follow())

        opened, errors = await bounded(
            range(a.cases),
            a.concurrency,
            open_one,
            every=max(a.cases // 10, 1),
            label="registered",
        )
        registered = time.monotonic() - start
        self.opened = opened
        self.cases = [c for c, _, _ in opened]
        waited = await self.projected(self.cases, 1, timeout=3600)
        follower.cancel()
        elapsed = time.monotonic() - start
        self.fill_rate = len(self.cases) / elapsed
        print(
            f"fill: {len(self.cases)} cases registered in {registered:.1f} s "
            f"({len(self.cases) / registered:.1f}/s), all in the read model after {elapsed:.1f} s: "
            f"{self.fill_rate:.1f} cases/s (the worker trailed by {waited:.1f} s); "
            f"{len(errors)} errors{': ' + errors[0] if errors else ''}; {load()}"
        )
        mayor_cases = [c for c, _, m in opened if m == MAYOR_MUNICIPALITY]
        self.measure_cases = mayor_cases[: a.measures]
        self.sample_cases = mayor_cases[a.measures : reserved]
        start = time.monotonic()
        self.bans, errors = await bounded(
            self.measure_cases,
            a.concurrency,
            self.impose,
            every=max(a.measures // 5, 1),
            label="imposed",
        )
        elapsed = time.monotonic() - start
        drained = await self.quiet(timeout=3600)
        print(
            f"fill: {len(self.bans)} huisverboden requested and imposed in {elapsed:.1f} s "
            f"({len(self.bans) / max(elapsed, 1e-9):.1f}/s), their notices all delivered "
            f"{drained:.0f} s later; {len(errors)} errors{': ' + errors[0] if errors else ''}"
        )
        earliest = await self.pool.fetchrow(
            """SELECT min(remind_at) AS remind, min(due_at) AS due FROM case_deadlines
               WHERE case_id = ANY($1) AND status = 'open'""",
            self.cases,
        )
        print(
            f"fill: earliest pending reminder {earliest['remind']:%Y-%m-%d %H:%M %Z}, "
            f"earliest deadline {earliest['due']:%Y-%m-%d %H:%M %Z} (now {datetime.now(UTC):%Y-%m-%d %H:%M %Z})"
        )

    # --- 2. latency, resources, history ---

    async def latency(self) -> None:
        s, n = self.settings, self.args.samples
        vt = {"authorization": f"Bearer {mint_token(s, org='vt-haaglanden', role='coordinator')}"}
        mayor = {
            "authorization": f"Bearer {mint_token(s, org='burgemeester-gm0518', role='staff')}"
        }
        print(f"latency: {n} sequential samples each, HTTP to the API process")
        async with httpx.AsyncClient(base_url=self.stack.base, timeout=120) as http:

            async def timed(method: str, url: str, expect: int, **kw) -> tuple[float, dict]:
                t = time.perf_counter()
                r = await http.request(method, url, **kw)
                took = time.perf_counter() - t
                if r.status_code != expect:
                    raise RuntimeError(f"{method} {url}: {r.status_code} {r.text[:300]}")
                return took, r.json()

            async def series(name: str, calls) -> list:
                took, answers = [], []
                for call in calls:
                    t, body = await call()
                    took.append(t)
                    answers.append(body)
                print(f"  {name:<34} {percentiles(took)}")
                return answers

            made = await series(
                "POST /v1/meldingen (201)",
                [
                    lambda i=i: timed(
                        "POST",
                        "/v1/meldingen",
                        201,
                        json=melding(f"{self.run}-http-{i}", MAYOR_MUNICIPALITY),
                        headers=vt,
                    )
                    for i in range(n)
                ],
            )
            self.cases += [m["case_id"] for m in made]
            requested = await series(
                "POST huisverbod-requests (201)",
                [
                    lambda c=c: timed(
                        "POST", f"/v1/cases/{c}/huisverbod-requests", 201, json=REQUEST, headers=vt
                    )
                    for c in self.sample_cases
                ],
            )
            await series(
                "POST huisverboden/{id}/decision",
                [
                    lambda h=r["huisverbod_id"]: timed(
                        "POST", f"/v1/huisverboden/{h}/decision", 200, json=DECISION, headers=mayor
                    )
                    for r in requested
                ],
            )
            ours = [c for c, r, _ in self.opened if r == REGION] + [m["case_id"] for m in made]
            reads = self.rng.sample(ours, min(n, len(ours)))  # the coordinator's region's
            await series(
                "GET /v1/cases/{id}",
                [lambda c=c: timed("GET", f"/v1/cases/{c}", 200, headers=vt) for c in reads],
            )
            answers = await series(
                f"GET /v1/regions/{REGION}/dashboard",
                [
                    lambda: timed("GET", f"/v1/regions/{REGION}/dashboard", 200, headers=vt)
                    for _ in range(n)
                ],
            )
            d = answers[-1]
            print(
                f"  dashboard shows open per phase {d['open_per_phase']}, due soon "
                f"{len(d['due_soon'])}, overdue {len(d['overdue'])}"
            )

    def resources(self) -> None:
        st = self.stack
        for name, pid in (
            ("worker process", st.workers[0].process.pid),
            ("API process", st.apis[0].process.pid),
            ("Temporal dev server", st.temporal.process.pid),
            ("bench process (fill client + sink)", os.getpid()),
        ):
            rss = psutil.Process(pid).memory_info().rss
            print(f"RSS {name:<36} {rss / 2**20:8.0f} MiB")
        db = st.temporal.db_file
        sizes = {p.name: p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file()}
        print(
            "Temporal SQLite "
            + ", ".join(f"{k} {v / 2**20:.0f} MiB" for k, v in sorted(sizes.items()))
        )

    async def longest_history(self) -> None:
        start = time.monotonic()

        async def length(case_id: str) -> tuple[int, str]:
            d = await self.client.get_workflow_handle(case_workflow_id(case_id)).describe()
            return d.history_length, case_id

        found, errors = await bounded(self.cases, 16, length)
        longest, case_id = max(found)
        lengths = sorted(n for n, _ in found)
        kind = "with a huisverbod" if case_id in set(self.measure_cases + self.sample_cases) else ""
        print(
            f"history: longest case workflow {longest} events (case {case_id} {kind}); "
            f"median {lengths[len(lengths) // 2]}; {len(found)} described in "
            f"{time.monotonic() - start:.0f} s, {len(errors)} errors"
        )

    # --- 3. reminder storm ---

    async def storm(self, meter: Meter | None = None) -> dict:
        """The reminders' lateness (seconds) at their firing, in the outbox, at delivery; with
        a `meter`, what each part spent per reminder from just before the minute until the
        last was delivered."""
        a = self.args
        n = math.ceil(a.storm / 2)  # two reminders a case: its assessment and its safe place
        lead = a.storm_lead or 90 + 5 * n / self.fill_rate
        now = datetime.now(UTC)
        target = (now + timedelta(seconds=lead)).replace(second=0, microsecond=0) + timedelta(
            minutes=1
        )
        print(
            f"storm: {n} acute meldingen received 3 h before {target:%H:%M:%S %Z} + 0..59 s: "
            f"{2 * n} reminders due in that minute (lead {(target - now).total_seconds():.0f} s)"
        )

        def received(i: int) -> datetime:
            return target - ACUTE_REMINDER + timedelta(seconds=59 * i / n)

        start = time.monotonic()
        storm_cases, errors = await bounded(
            range(n),
            a.concurrency,
            lambda i: self.open_case(
                f"{self.run}-storm-{i}", MAYOR_MUNICIPALITY, acute=True, received_at=received(i)
            ),
            every=max(n // 5, 1),
            label="storm cases",
        )
        opened = time.monotonic() - start
        left = (target - datetime.now(UTC)).total_seconds()
        await self.projected(storm_cases, 2, timeout=max(left, 1) + 600)
        ready = (target - datetime.now(UTC)).total_seconds()
        await self.quiet(timeout=max((target - datetime.now(UTC)).total_seconds() - 5, 0))
        backlog = await self.pool.fetchval(
            "SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')"
        )
        print(
            f"storm: {len(storm_cases)} cases opened in {opened:.0f} s "
            f"({len(errors)} errors); all projected {ready:.0f} s before the first reminder is "
            f"due; {backlog} deliveries still pending then; {load()}"
        )
        if ready < 0:
            print("storm: NOTE the storm cases were not all ready before their reminders")
        if meter is not None:  # the idle rate, just before the minute
            await asyncio.sleep(max((target - datetime.now(UTC)).total_seconds() - 10, 0))
            await meter.idle_for(8)
        expected, shown = 2 * len(storm_cases), time.monotonic()
        deadline = target + timedelta(seconds=a.storm_timeout)
        while datetime.now(UTC) < deadline:
            sent = await self.pool.fetchval(
                """SELECT count(*) FROM deliveries dl JOIN notices n ON n.key = dl.notice_key
                   WHERE n.kind = 'reminder' AND n.case_id = ANY($1) AND dl.status = 'sent'""",
                storm_cases,
            )
            if sent >= expected:
                break
            if sent and time.monotonic() - shown > 60:
                shown = time.monotonic()
                late = (datetime.now(UTC) - target).total_seconds()
                print(
                    f"  {sent:>6} of {expected} reminders delivered, {late:.0f} s after the minute began"
                )
            await asyncio.sleep(2)
        cost = spent(meter, expected) if meter is not None else {}
        fired = [
            r["late"]
            for r in await self.pool.fetch(
                """SELECT extract(epoch FROM (e->>'at')::timestamptz - (c.opened_at + $2)) AS late
                   FROM cases c, jsonb_array_elements(c.timeline) e
                   WHERE c.case_id = ANY($1) AND e->>'kind' = 'reminder'
                     AND e->>'source' = 'case'
                   UNION ALL  -- a path's reminder is on its own timeline (and its case's later)
                   SELECT extract(epoch FROM (e->>'at')::timestamptz - (c.opened_at + $2))
                   FROM cases c JOIN case_paths p USING (case_id),
                        jsonb_array_elements(p.state->'timeline') e
                   WHERE c.case_id = ANY($1) AND e->>'kind' = 'reminder'""",
                storm_cases,
                ACUTE_REMINDER,
            )
        ]
        rows = await self.pool.fetch(
            """SELECT d.remind_at, n.created_at, dl.sent_at
               FROM notices n
               JOIN case_deadlines d ON d.case_id = n.case_id AND d.key = n.subject
               LEFT JOIN deliveries dl ON dl.notice_key = n.key
               WHERE n.kind = 'reminder' AND n.case_id = ANY($1) AND d.remind_at IS NOT NULL""",
            storm_cases,
        )
        outbox = [(r["created_at"] - r["remind_at"]).total_seconds() for r in rows]
        delivered = [(r["sent_at"] - r["remind_at"]).total_seconds() for r in rows if r["sent_at"]]
        print(
            f"storm: {len(outbox)} of {expected} reminders in the outbox, {len(delivered)} "
            f"delivered (mail accepted by the sink); {load()}"
        )
        fired = [float(x) for x in fired]
        print(f"  lateness of the firing (timeline) {percentiles(fired, expected)}")
        print(f"  lateness to the outbox            {percentiles(outbox, expected)}")
        print(f"  lateness to delivery              {percentiles(delivered, expected)}")
        if delivered:
            sent = sorted(r["sent_at"] for r in rows if r["sent_at"])
            span = (sent[-1] - sent[0]).total_seconds()
            print(
                f"  the last reminder left {(sent[-1] - target).total_seconds():.1f} s after the "
                f"minute began ({sent[-1]:%H:%M:%S %Z}; the last was due by "
                f"{target + timedelta(seconds=59):%H:%M:%S}); {len(sent) / max(span, 1):.1f} "
                f"reminders/s from the first delivery to the last"
            )
        return {
            "fired": fired,
            "outbox": outbox,
            "delivered": delivered,
            "expected": expected,
            "cpu": cost,
        }


@contextlib.asynccontextmanager
async def started(
    prefix: str, args: argparse.Namespace, **settings: Any
) -> AsyncIterator[tuple[Path, Stack, Bench]]:
    """A stack of its own in a fresh temporary directory, started, with a connected `Bench`;
    stopped however the run ends, and the directory removed unless --keep."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    work.chmod(0o755)
    stack = Stack(work, workers=args.workers, apis=args.apis, engine=args.engine, **settings)
    print(f"work dir {work}; {os.cpu_count()} cores, {load()}; {args}")
    try:
        await stack.start()
        bench = Bench(stack, args)
        await bench.connect()
        try:
            yield work, stack, bench
        finally:
            await bench.pool.close()
            await bench.keys_pool.close()
    finally:
        await stack.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every stack bench takes: its processes, the pace of its commands, the
    storm's timing, and whether to keep its directory."""
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument(
        "--apis",
        type=int,
        default=1,
        help="API processes sharing the one port (`ketenregie up --apis`)",
    )
    parser.add_argument(
        "--engine",
        choices=("dev", "cluster"),
        default="dev",
        help="the Temporal CLI's dev server, or the Temporal server's services as processes"
        " of their own on Postgres (ketenregie.cluster)",
    )
    parser.add_argument("--concurrency", type=int, default=32, help="commands in flight")
    parser.add_argument(
        "--backlog",
        type=int,
        default=500,
        help="fill: cases registered but not yet projected by the worker, at most (0: no bound)",
    )
    parser.add_argument(
        "--storm-lead",
        type=float,
        default=None,
        help="seconds to the storm's minute (default: from the fill rate)",
    )
    parser.add_argument(
        "--storm-timeout", type=float, default=3600, help="seconds to wait for the reminders"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")


async def main(args: argparse.Namespace) -> None:
    async with started("ketenregie-scale-", args) as (_, _, bench):
        await bench.fill()
        await bench.latency()
        bench.resources()
        await bench.longest_history()
        if args.storm:
            await bench.storm()
            bench.resources()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000, help="open cases to fill")
    parser.add_argument(
        "--measures",
        type=int,
        default=2_000,
        help="of them with a running huisverbod (at most a tenth)",
    )
    parser.add_argument("--samples", type=int, default=200, help="latency samples per figure")
    parser.add_argument("--storm", type=int, default=5_000, help="reminders due in one minute")
    parser.add_argument(
        "--spread", action="store_true", help="fill all regions, not only haaglanden"
    )
    add_run_arguments(parser)
    asyncio.run(main(parser.parse_args()))
