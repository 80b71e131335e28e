"""A region's year: every deadline the workflows set, checked against an independent oracle.

    python -m bench.year [--meldingen 5000] [--huisverboden 150] [--seed 1] [--shards 2]

On Temporal's time-skipping test server, with the production workflows and the in-memory
activities of the workflow tests (`testing.FakeReadModel`), it drives one region through a
seeded year, day by day and within a day moment by moment: meldingen come in (police at any
hour, others on working days), Veilig Thuis assesses safety, decides the follow-up,
investigates, monitors and closes; the police request huisverboden, the mayor or a
hulpofficier decides, the mayor extends some and withdraws a few, some are appealed and
heard; acute cases get a safe place, now and then a crisis placement. The workflows' own
timers do the rest: reminders, escalations, the end of each ban, the appeal term. A few bans
are placed so that their end or cap falls in the hour that a switch to or from summer time
skips or repeats.

At the end every deadline of every case, huisverbod and acute-safety path in the read model
(due time, reminder moment, status, when met, whether reminded), the moment each reminder
and escalation fired (from the timelines), and every ban's dates (end, cap, appeal term, how
it ended) are compared with what this module computes itself from the rules table of the
docs/jurists.md and the articles in `domain/*_policy.py`: working days of the Algemene termijnenwet
from its own list of feast days (Easter from `dateutil`, the decrees as docs/jurists.md lists
them), wall-clock periods in Europe/Amsterdam, hours as absolute time. It never calls
`domain.deadlines`, `domain.workdays` or the policy. It prints figures and asserts nothing.

What limits the figures:
- The wall time is the test server's and the worker's more than the workflows'. The cost of
  a step grows with the steps before it (in one server's year January took 26 s of wall time
  and December 120 s): its time-skipping clock keeps a list of lock events "for debugging"
  that only grows and is scanned on every timer it runs (sdk-java, `SelfAdvancingTimerImpl`),
  and one Python process runs the worker, the in-memory activities and this driver. So the
  year's cases are split over `--shards` processes (default 2, one per core), each with a
  test server and a worker of its own, driving the whole year for its share of the cases;
  the cases are independent in the workflows (the radar that links them lives in the API).
  A reminder or escalation lands up to a second after its moment (checked: within a minute).
- The server sometimes stops skipping time after a refused huisverbod (see `sleep_until`);
  each such stall costs a few seconds before it is undone, and is counted.
- One worker, the test server and whatever else runs share this machine's cores; Postgres,
  the codec's key store and the partners' channels cost nothing here (dicts).
- Steps happen at whole minutes, never within a minute of a timer of their workflow, so a
  race never decides a status.
- The oracle is only as independent as the reading of the rules it was written from: the
  decree days of Atw art. 3 lid 3 are copied from docs/jurists.md, and a wall-clock time the
  switch skips or repeats is read as docs/jurists.md says (02:30 on the spring switch is 03:30;
  a repeated 02:30 is the first one).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import heapq
import itertools
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from functools import cache
from multiprocessing import get_context
from zoneinfo import ZoneInfo

from dateutil.easter import easter
from temporalio.api.testservice.v1 import UnlockTimeSkippingRequest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError

from domain.acute_safety import Placement, PlacementEnded, SafeWithoutPlacement
from domain.case import (
    CaseInput,
    CloseCmd,
    FollowUpCmd,
    InvestigationCmd,
    MonitoringCheckCmd,
    PersonRef,
    SafetyAssessmentCmd,
    Unsafety,
)
from domain.huisverbod import (
    AppealCmd,
    Decider,
    DecisionCmd,
    ExtensionCmd,
    HearingCmd,
    HuisverbodRequestCmd,
    MilestoneCmd,
    RulingCmd,
    ViolationCmd,
    WithdrawalCmd,
    huisverbod_workflow_id,
)
from domain.ids import case_workflow_id, path_workflow_id
from domain.models import Deadline, TimelineEvent
from testing import FakeReadModel, converter_with_test_keys, fake_worker, time_skipping
from testing.actors import JURIST, MAYOR_OFFICE, MILESTONE_ACTORS, POLICE, VEILIG_THUIS, by
from workflows.acute_safety import AcuteSafetyWorkflow
from workflows.case import CaseWorkflow
from workflows.huisverbod import HuisverbodWorkflow

# each command as the service sends it for a Veilig Thuis worker (the workflow checks it)
Placement = by(VEILIG_THUIS, Placement)
PlacementEnded = by(VEILIG_THUIS, PlacementEnded)
SafeWithoutPlacement = by(VEILIG_THUIS, SafeWithoutPlacement)
CloseCmd = by(VEILIG_THUIS, CloseCmd)
FollowUpCmd = by(VEILIG_THUIS, FollowUpCmd)
InvestigationCmd = by(VEILIG_THUIS, InvestigationCmd)
MonitoringCheckCmd = by(VEILIG_THUIS, MonitoringCheckCmd)
SafetyAssessmentCmd = by(VEILIG_THUIS, SafetyAssessmentCmd)

# --- the oracle: the rules, written out again from docs/jurists.md and the articles ---

AMS = ZoneInfo("Europe/Amsterdam")
# Atw art. 3 lid 3: the days the decrees equate with feast days, as docs/jurists.md lists them
DECREE_DAYS = frozenset(
    date.fromisoformat(d)
    for d in [
        "2023-04-28",
        "2023-05-19",
        "2024-05-10",
        "2024-12-27",
        "2025-05-30",
        "2026-01-02",
        "2026-05-15",
        "2027-05-07",
        "2028-04-28",
        "2028-05-26",
    ]
)
HOURS = {  # absolute hours; the reminder at three quarters
    "mayor_decision": 4,
    "acute_safety_assessment": 4,
    "safe_place": 4,
    "contact_address": 24,  # Wth art. 2 lid 6
}
CALENDAR_DAYS = {  # on the Amsterdam wall clock
    "help_started": 10,  # Wth art. 2 lid 1 with the MvT
    "investigation": 70,  # 10 weeks
    "monitoring_check": 91,  # 13 weeks
    "crisis_placement_review": 28,  # 4 weeks
}
WORKING_DAYS = {"safety_assessment": 5}  # Atw working days after the day, to 24:00
STATUTORY_DAYS = {"interim_relief_hearing": 3}  # Wth art. 6 lid 1 sub a; Atw art. 1 and 2


@cache
def feast_days(year: int) -> frozenset[date]:
    """Atw art. 3 lid 1 and 2: the days off besides Saturday and Sunday."""
    e = easter(year)
    kings = date(year, 4, 27) if date(year, 4, 27).weekday() != 6 else date(year, 4, 26)
    days = {date(year, 1, 1), date(year, 5, 5), date(year, 12, 25), date(year, 12, 26), kings}
    days |= {e + timedelta(days=n) for n in (-2, 1, 39, 50)}  # Good Friday .. Whit Monday
    return frozenset(days | {d for d in DECREE_DAYS if d.year == year})


def working(day: date) -> bool:
    return day.weekday() < 5 and day not in feast_days(day.year)


def next_working(day: date) -> date:
    """`day` itself when it is a working day, else the first one after it."""
    while not working(day):
        day += timedelta(days=1)
    return day


@cache
def working_days(start: date, days: int) -> list[date]:
    return [d for n in range(days) if working(d := start + timedelta(days=n))]


def wall(day: date, at: clock) -> datetime:
    """A moment on the Amsterdam wall clock, in UTC. A time the spring switch skips lies an
    hour later (02:30 is 03:30); a time the autumn switch repeats is its first occurrence."""
    return datetime.combine(day, at, AMS).astimezone(UTC)  # fold=0 gives exactly that


def local(moment: datetime) -> datetime:
    return moment.astimezone(AMS)


def plus_days(moment: datetime, days: int) -> datetime:
    """Calendar days on the Amsterdam wall clock: 20:00 stays 20:00 across a DST switch."""
    t = local(moment)
    return wall(t.date() + timedelta(days=days), t.time())


def end_of_day(day: date) -> datetime:
    return wall(day + timedelta(days=1), clock(0))


def morning_before(due: datetime) -> datetime:
    """09:00 on the working day before the day the deadline falls on (24:00 belongs to the
    day that ends then)."""
    day = local(due - timedelta(microseconds=1)).date() - timedelta(days=1)
    while not working(day):
        day -= timedelta(days=1)
    return wall(day, clock(9))


def oracle_due(key: str, start: datetime) -> tuple[datetime, datetime | None]:
    """(due, reminder) of deadline `key` counted from `start`."""
    if key in HOURS:
        due = start + timedelta(hours=HOURS[key])
        remind = start + timedelta(hours=HOURS[key]) * 3 / 4
    elif key in CALENDAR_DAYS:
        due = plus_days(start, CALENDAR_DAYS[key])
        remind = morning_before(due)
    elif key in STATUTORY_DAYS:
        first = local(start).date() + timedelta(days=1)
        last = next_working(first + timedelta(days=STATUTORY_DAYS[key] - 1))  # art. 1 lid 1
        while len(working_days(first, (last - first).days + 1)) < 2:  # art. 2
            last = next_working(last + timedelta(days=1))
        due = end_of_day(last)
        remind = morning_before(due)
    else:
        day = local(start).date()
        for _ in range(WORKING_DAYS[key]):
            day = next_working(day + timedelta(days=1))
        due = end_of_day(day)
        remind = morning_before(due)
    return due, remind if start < remind < due else None


def ban_end(imposed: datetime) -> datetime:
    return plus_days(imposed, 10)  # Wth art. 2 lid 1


def ban_cap(imposed: datetime) -> datetime:
    return plus_days(imposed, 28)  # Wth art. 9 lid 1


def appeal_until(decided: datetime) -> datetime:
    """Awb 6:7/6:8: six weeks from the day after; Atw art. 1: on to the next working day."""
    return end_of_day(next_working(local(decided).date() + timedelta(weeks=6)))


# --- what the bench expects of each workflow ---


@dataclass
class Expected:
    key: str
    start: datetime
    due: datetime
    remind: datetime | None
    ref: str | None = None
    met: datetime | None = None
    closed: datetime | None = None

    def status(self, now: datetime) -> str:
        if self.met:
            return "met" if self.met < self.due else "overdue"
        if self.closed:  # the procedure ended: one that had passed stays counted as missed
            return "missed" if self.due <= self.closed else "closed"
        return "overdue" if self.due <= now else "open"

    def ended(self, now: datetime) -> datetime:
        """Until when its timers could fire: it was met, its procedure moved on, or now."""
        return min(m for m in (self.met, self.closed, now) if m is not None)

    def reminded(self, now: datetime) -> bool:
        return self.remind is not None and self.remind <= self.ended(now)

    def escalated(self, now: datetime) -> bool:
        return self.due <= self.ended(now)


class Book:
    """The deadlines one workflow should hold, kept as DeadlineBook's rules say, from the
    bench's own record of each step."""

    def __init__(self) -> None:
        self.items: list[Expected] = []

    def add(self, key: str, start: datetime, ref: str | None = None) -> Expected:
        e = Expected(key, start, *oracle_due(key, start), ref=ref)
        self.items.append(e)
        return e

    def meet(self, key: str, at: datetime, ref: str | None = None) -> None:
        for e in self.items:
            if e.key == key and (ref is None or e.ref == ref) and not (e.met or e.closed):
                e.met = at
                return

    def close(self, at: datetime) -> None:
        for e in self.items:
            if not (e.met or e.closed):
                e.closed = at

    def timers(self) -> list[datetime]:
        return [m for e in self.items if not (e.met or e.closed) for m in (e.due, e.remind) if m]


def clear_of(moment: datetime, *books: Book, also: tuple[datetime | None, ...] = ()) -> datetime:
    """Move a step off the minute of a timer of its workflow, so no race decides its status."""
    timers = [t for b in books for t in b.timers()] + [t for t in also if t]
    while any(abs(moment - t) < timedelta(minutes=1) for t in timers):
        moment += timedelta(minutes=2)
    return moment


# --- the year ---

MAYOR = Decider(name="burgemeester", capacity="mayor")
HULPOFFICIER = Decider(name="hulpofficier", capacity="hulpofficier")
REPORTERS = (("police", 0.60), ("professional", 0.28), ("citizen", 0.09), ("anonymous", 0.03))
POLICE_HOURS = (4, 3, 2, 2, 1, 1, 2, 3, 4, 4, 4, 4, 4, 4, 4, 5, 5, 6, 7, 8, 8, 8, 7, 5)
MILESTONE_DEADLINES = {"contact_address_given": "contact_address", "help_started": "help_started"}
TIMER_LAG = timedelta(minutes=1)  # what the busy server may add; a wrong rule is hours or days
STALL_SECONDS = 5  # a sleep that long without progress is looked at; 1 after a refusal
Action = Callable[[], Awaitable[None]]


@dataclass
class Figures:
    wall_seconds: float = 0.0
    meldingen: int = 0
    huisverboden: int = 0  # requested
    imposed: int = 0
    commands: int = 0  # workflow starts and updates sent
    deadlines: int = 0  # deadlines compared: due, reminder, status, met and reminded each
    firings: int = 0  # reminders and escalations compared by the moment they fired
    timer_lag: timedelta = timedelta(0)  # the latest a timer fired after its moment
    ban_fields: int = 0  # status, imposition, end, cap, end moment, appeal term of each ban
    sleeping_seconds: float = 0.0  # wall time the server's clock took to reach each step
    unlocks: int = 0  # stalls of the test server's time skipping undone (see sleep_until)
    refused: list[str] = field(default_factory=list)  # commands the workflows refused
    mismatches: list[str] = field(default_factory=list)
    mismatch_kinds: Counter[str] = field(default_factory=Counter)

    def mismatch(self, kind: str, detail: str) -> None:
        self.mismatch_kinds[kind] += 1
        self.mismatches.append(detail)

    def add(self, shard: Figures) -> None:
        """Take in a shard's figures (the wall time is the caller's)."""
        for name in ("meldingen", "huisverboden", "imposed", "commands", "deadlines"):
            setattr(self, name, getattr(self, name) + getattr(shard, name))
        self.firings += shard.firings
        self.ban_fields += shard.ban_fields
        self.sleeping_seconds = max(self.sleeping_seconds, shard.sleeping_seconds)
        self.unlocks += shard.unlocks
        self.timer_lag = max(self.timer_lag, shard.timer_lag)
        self.refused += shard.refused
        self.mismatches += shard.mismatches
        self.mismatch_kinds.update(shard.mismatch_kinds)


def pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def minutes(rng: random.Random, low_hours: float, high_hours: float) -> timedelta:
    return timedelta(minutes=rng.randint(int(low_hours * 60), int(high_hours * 60)))


def office(rng: random.Random, after: datetime, days_later: int = 0) -> datetime:
    """A whole minute between 09:00 and 17:00 on the `days_later`-th working day after the
    day of `after` (on that day itself when 0), and later than `after`."""
    day = local(after).date()
    for _ in range(days_later):
        day = next_working(day + timedelta(days=1))
    day = next_working(day)
    while True:
        moment = wall(day, clock(9)) + timedelta(minutes=rng.randrange(8 * 60))
        if moment > after + timedelta(minutes=10):
            return moment
        day = next_working(day + timedelta(days=1))


def show(value: object) -> str:
    if isinstance(value, datetime):
        return local(value).strftime("%Y-%m-%d %H:%M %Z")
    return str(value)


def firings(value: tuple | list[tuple]) -> str:
    """Timers that fired, (kind, moment), to the second."""
    items = [value] if isinstance(value, tuple) else value
    return ", ".join(f"{k} {local(m).strftime('%Y-%m-%d %H:%M:%S %Z')}" for k, m in items)


@dataclass(frozen=True)
class Shard:
    """Which share of the year's cases one test server drives: the cases are independent in
    the workflows, and the server's cost per step grows with its history (see above)."""

    index: int = 0
    of: int = 1
    progress: bool = False

    def __str__(self) -> str:
        return f"shard {self.index + 1}/{self.of} " if self.of > 1 else ""


class Year:
    """The driver: a queue of timed steps; the test server's clock is moved to each."""

    def __init__(self, env, task_queue: str, read_model: FakeReadModel, end: datetime) -> None:
        self.env, self.tq, self.rm, self.end = env, task_queue, read_model, end
        self.queue: list[tuple[datetime, int, Action]] = []
        self.seq = itertools.count()
        self.now = end
        self.suspect_stall = 0  # sleeps to watch closely: a refused huisverbod just ended
        self.figures = Figures()
        self.cases: list[Case] = []

    def at(self, moment: datetime, action: Action) -> None:
        if moment < self.end:  # what would fall after the period is not done
            heapq.heappush(self.queue, (moment, next(self.seq), action))

    async def command(self, what: str, call: Awaitable) -> bool:
        """Send one command. A refusal is a finding, not a crash: every step the bench sends
        is legal by its own reading of the rules."""
        self.figures.commands += 1
        try:
            await call
            return True
        except WorkflowUpdateFailedError as e:
            self.figures.refused.append(f"{what} at {show(self.now)}: {e.cause}")
            return False

    async def sleep_until(self, moment: datetime) -> None:
        """Skip the server's clock to `moment`. The test server sometimes stops skipping for
        good after a workflow ends while a child it abandoned still runs (a refused huisverbod
        and its notice; sdk-java issues 1138, 1618, 3088): its clock then runs at wall-clock
        speed. When the clock crawls and nothing moves in the read model, one unlock of time
        skipping sets it going again; the figures count these."""
        began = time.perf_counter()
        while (ahead := moment - await self.env.get_current_time()) > timedelta(0):
            sleeping = asyncio.ensure_future(self.env.sleep(ahead))
            await asyncio.wait({sleeping}, timeout=1)
            while not sleeping.done():
                before = (await self.env.get_current_time(), self.progress(), time.monotonic())
                patience = 1 if self.suspect_stall else STALL_SECONDS
                await asyncio.wait({sleeping}, timeout=patience)
                if sleeping.done():
                    break
                server, real = await self.env.get_current_time(), time.monotonic()
                crawling = server - before[0] < timedelta(seconds=2 * (real - before[2]))
                if crawling and self.progress() == before[1]:
                    self.figures.unlocks += 1
                    self.suspect_stall = 0
                    with contextlib.suppress(RPCError):  # an unbalanced unlock is refused
                        await self.env.client.test_service.unlock_time_skipping(
                            UnlockTimeSkippingRequest()
                        )
            with contextlib.suppress(RPCError):  # the sleep's own call may have timed out
                sleeping.result()
        self.figures.sleeping_seconds += time.perf_counter() - began
        self.suspect_stall = max(self.suspect_stall - 1, 0)

    def progress(self) -> tuple[int, ...]:
        """What the workers have done so far, as the read model shows it."""
        rm = self.rm
        return (
            len(rm.notices),
            len(rm.delivered),
            sum(s.version for s in rm.cases.values()),
            sum(s.version for s in rm.huisverboden.values()),
            sum(r.version for r in rm.paths.values()),
        )

    async def run(self, start: date, days: int, shard: Shard) -> None:
        """Day by day; within a day, to the minute of each step, and all steps of that minute
        at once."""
        began = time.perf_counter()
        for n in range(days):
            day_end = wall(start + timedelta(days=n + 1), clock(0))
            while self.queue and self.queue[0][0] < day_end:
                self.now = self.queue[0][0]
                await self.sleep_until(self.now)
                batch = []
                while self.queue and self.queue[0][0] <= self.now:
                    batch.append(heapq.heappop(self.queue)[2])
                await asyncio.gather(*(action() for action in batch))
            await self.sleep_until(day_end)
            if shard.progress and (start + timedelta(days=n + 1)).day == 1:
                f = self.figures
                print(
                    f"  {shard}{start + timedelta(days=n)}: {f.meldingen} meldingen, {f.commands} "
                    f"commands, {len(self.rm.notices)} notices, "
                    f"{time.perf_counter() - began:.0f} s ({f.sleeping_seconds:.0f} s skipping "
                    "time)",
                    file=sys.stderr,
                    flush=True,
                )


class Case:
    """One melding and what Veilig Thuis does with it; its huisverbod and acute path."""

    def __init__(self, year: Year, index: int, seed: int, start: date, days: int) -> None:
        self.y, self.index = year, index
        self.rng = rng = random.Random(f"{seed}:{index}")
        self.case_id = uuid.UUID(int=rng.getrandbits(128)).hex
        self.reporter = pick(rng, REPORTERS)
        self.acute = rng.random() < (0.12 if self.reporter == "police" else 0.04)
        self.children = rng.random() < 0.55
        if self.reporter == "police":  # at any hour, mostly evenings and nights
            day = start + timedelta(days=rng.randrange(days))
            hour = rng.choices(range(24), POLICE_HOURS)[0]
        else:  # professionals on working days, citizens during the day
            day = start + timedelta(days=rng.randrange(days))
            if self.reporter == "professional":
                day = rng.choice(working_days(start, days))
            hour = rng.randrange(8, 18 if self.reporter == "professional" else 22)
        self.received = wall(day, clock(hour, rng.randrange(60)))
        self.book = Book()
        self.investigated = self.closed = False
        self.blocked_until = self.received  # a running ban or placement keeps the case open
        self.huisverbod: Huisverbod | None = None
        self.path_book: Book | None = None
        self.path_id: str | None = None
        self.handle: WorkflowHandle | None = None

    def label(self) -> str:
        return f"case {self.index} ({self.case_id[:8]})"

    async def update(self, what: str, method, cmd) -> bool:
        return await self.y.command(
            f"{self.label()} {what}", self.handle.execute_update(method, cmd)
        )

    def then(self, moment: datetime, action: Action, *books: Book) -> None:
        self.y.at(clear_of(moment, self.book, *books), action)

    async def open(self) -> None:
        persons = [PersonRef(ref="p1", role="victim"), PersonRef(ref="p2", role="pleger")]
        if self.children:
            persons.append(PersonRef(ref="k1", role="child"))
        inp = CaseInput(
            case_id=self.case_id,
            region="haaglanden",
            municipality="GM0518",
            reporter_kind=self.reporter,
            persons=persons,
            unsafety=Unsafety(acute=self.acute, structural=True, reporter_can_help=False),
            received_at=self.received,
        )
        self.y.figures.meldingen += 1
        self.y.figures.commands += 1
        self.handle = await self.y.env.client.start_workflow(
            CaseWorkflow.run, inp, id=case_workflow_id(self.case_id), task_queue=self.y.tq
        )
        r, rng = self.received, self.rng
        self.book.add("acute_safety_assessment" if self.acute else "safety_assessment", r)
        if self.acute:  # the case starts the acute safety path itself
            self.path_book = Book()
            self.path_book.add("safe_place", r)
            late = rng.random() < 0.1
            safe = r + (minutes(rng, 4.2, 8) if late else minutes(rng, 0.5, 3.8))
            self.y.at(clear_of(safe, self.path_book), self.safe_place)
        if self.huisverbod:
            self.huisverbod.plan_request()
        if self.acute:
            late = rng.random() < 0.08
            self.then(r + (minutes(rng, 4.2, 9) if late else minutes(rng, 0.3, 3.8)), self.assess)
        else:  # within 5 working days mostly; some later
            days = rng.choices(range(8), (10, 20, 20, 20, 15, 8, 4, 3))[0]
            self.then(office(rng, r, days), self.assess)

    async def assess(self) -> None:
        at = self.y.now
        acute = self.acute or self.rng.random() < 0.03
        cmd = SafetyAssessmentCmd(acute=acute, structural=True, assessed_at=at)
        if await self.update("assessment", CaseWorkflow.record_safety_assessment, cmd):
            self.book.meet(self.book.items[0].key, at)
            self.next_follow_up(at)

    def next_follow_up(self, after: datetime) -> None:
        days = self.rng.choices(range(1, 6), (40, 20, 15, 15, 10))[0]
        self.then(office(self.rng, after, days), self.follow_up)

    async def follow_up(self) -> None:
        at, rng = self.y.now, self.rng
        choices = [("close_with_advice", 30), ("handover", 35), ("beschermtafel", 8), ("mda", 12)]
        if not self.investigated:
            choices.append(("investigation", 15))
        decision = pick(rng, tuple(choices))
        if decision == "close_with_advice" and at < self.blocked_until:
            decision = "handover"  # a ban or a placement runs: the case cannot close yet
        partner = "wijkteam-den-haag" if decision == "handover" else None
        cmd = FollowUpCmd(decision=decision, partner=partner, decided_at=at)
        if not await self.update(f"follow-up {decision}", CaseWorkflow.decide_follow_up, cmd):
            return
        if decision == "close_with_advice":
            self.book.close(at)
            self.closed = True
        elif decision == "investigation":
            self.investigated = True
            self.book.add("investigation", at)
            weeks = rng.uniform(3, 11.5)
            self.then(office(rng, at + timedelta(weeks=weeks)), self.conclude)
        elif decision == "handover":
            self.schedule_check(self.book.add("monitoring_check", at))
        else:  # referred: the beschermtafel or MDA++ takes it on; the case closes later
            self.then(office(rng, at + timedelta(weeks=rng.uniform(2, 12))), self.close)

    async def conclude(self) -> None:
        at = self.y.now
        cmd = InvestigationCmd(conclusion=self.rng.choice(("unsafe", "safe")), concluded_at=at)
        if await self.update("investigation", CaseWorkflow.record_investigation, cmd):
            self.book.meet("investigation", at)
            self.next_follow_up(at)

    def schedule_check(self, deadline: Expected) -> None:
        late = self.rng.random() < 0.15
        days = self.rng.uniform(0.2, 7) if late else -self.rng.uniform(1, 10)
        self.then(office(self.rng, deadline.due + timedelta(days=days)), self.check)

    async def check(self) -> None:
        at, rng = self.y.now, self.rng
        holds = rng.random() < 0.9
        cmd = MonitoringCheckCmd(safety_holds=holds, checked_at=at)
        if not await self.update("monitoring check", CaseWorkflow.record_monitoring_check, cmd):
            return
        self.book.meet("monitoring_check", at)
        if not holds:  # unsafe again: decide anew
            self.book.close(at)
            self.next_follow_up(at)
            return
        deadline = self.book.add("monitoring_check", at)
        if rng.random() < 0.45:
            self.then(office(rng, at, rng.randint(1, 5)), self.close)
        else:
            self.schedule_check(deadline)

    async def close(self) -> None:
        at = self.y.now
        if at < self.blocked_until:  # a ban or a placement still runs: close after it
            self.then(office(self.rng, self.blocked_until + timedelta(hours=1)), self.close)
            return
        if await self.update("close", CaseWorkflow.close, CloseCmd(reason="other", closed_at=at)):
            self.book.close(at)
            self.closed = True

    # --- the acute safety path the case started ---

    async def path_handle(self) -> WorkflowHandle:
        for _ in range(100):
            if self.path_id:
                break
            found = [
                r.path_id
                for r in self.y.rm.paths.values()
                if r.case_id == self.case_id and r.kind == "acute_safety"
            ]
            self.path_id = found[0] if found else None
            await asyncio.sleep(0 if found else 0.05)
        return self.y.env.client.get_workflow_handle(path_workflow_id(self.case_id, self.path_id))

    async def path_step(self, what: str, method, cmd) -> bool:
        call = (await self.path_handle()).execute_update(method, cmd)
        return await self.y.command(f"{self.label()} {what}", call)

    async def safe_place(self) -> None:
        at, rng, book = self.y.now, self.rng, self.path_book
        if self.children and rng.random() < 0.15:  # the child to the crisisdienst jeugd
            placement = Placement(
                placement_id=f"pl{self.index}",
                person_ref="k1",
                kind="crisis_placement",
                provider="crisisdienst-jeugd",
                placed_at=at,
                parents_consent=rng.random() < 0.5,
            )
            if await self.path_step("placement", AcuteSafetyWorkflow.record_placement, placement):
                book.meet("safe_place", at)
                book.add("crisis_placement_review", at, ref=placement.placement_id)
                ended = clear_of(at + minutes(rng, 7 * 24, 45 * 24), book)
                self.blocked_until = max(self.blocked_until, ended)
                self.y.at(ended, self.placement_ended)
            return
        arrangement = "huisverbod" if self.huisverbod else rng.choice(("pleger_left", "network"))
        step = SafeWithoutPlacement(step="safe_without_placement", arrangement=arrangement, at=at)
        if await self.path_step("safe place", AcuteSafetyWorkflow.step, step):
            book.meet("safe_place", at)
            book.close(at)

    async def placement_ended(self) -> None:
        at = self.y.now
        step = PlacementEnded(step="placement_ended", placement_id=f"pl{self.index}", at=at)
        if await self.path_step("placement ended", AcuteSafetyWorkflow.step, step):
            self.path_book.meet("crisis_placement_review", at, ref=f"pl{self.index}")
            self.path_book.close(at)


class Huisverbod:
    """The police's request on a case, the decision, and the ban's course as it is planned
    at imposition; a `fate` and a `decision_at` pin a ban the bench places on purpose."""

    def __init__(self, case: Case, decision_at: datetime | None = None, fate: str | None = None):
        self.case, self.y, self.rng = case, case.y, case.rng
        self.id = uuid.UUID(int=self.rng.getrandbits(128)).hex
        self.book = Book()
        self.forced_decision, self.fate = decision_at, fate
        self.status = "planned"
        self.requested = self.imposed = self.end = self.ended_at = None
        self.last_decision: datetime | None = None
        self.handle: WorkflowHandle | None = None

    def label(self) -> str:
        return f"huisverbod of {self.case.label()}"

    async def update(self, what: str, method, cmd) -> bool:
        return await self.y.command(
            f"{self.label()} {what}", self.handle.execute_update(method, cmd)
        )

    def then(self, moment: datetime, action: Action) -> None:
        self.y.at(clear_of(moment, self.book, also=(self.end,)), action)

    def running(self, at: datetime) -> bool:
        return self.status in ("imposed", "extended") and at < self.end

    def plan_request(self) -> None:
        if self.forced_decision:
            at = self.forced_decision - timedelta(hours=2)
        else:
            at = self.case.received + minutes(self.rng, 0.2, 2)
        self.case.then(at, self.request)

    async def request(self) -> None:
        at, rng = self.y.now, self.rng
        cmd = HuisverbodRequestCmd(
            actor=POLICE, huisverbod_id=self.id, pleger_ref="p2", requested_at=at
        )
        if not await self.case.update("huisverbod request", CaseWorkflow.request_huisverbod, cmd):
            return
        self.y.figures.huisverboden += 1
        self.requested, self.status = at, "requested"
        self.handle = self.y.env.client.get_workflow_handle(
            huisverbod_workflow_id(self.case.case_id, self.id)
        )
        self.book.add("mayor_decision", at)
        self.case.blocked_until = max(self.case.blocked_until, at + timedelta(hours=12))
        if self.forced_decision:
            decide = self.forced_decision
        else:
            late = rng.random() < 0.1
            decide = at + (minutes(rng, 4.2, 8) if late else minutes(rng, 0.3, 3.8))
        self.then(decide, self.decide)

    async def decide(self) -> None:
        at, rng = self.y.now, self.rng
        refuse = not self.forced_decision and rng.random() < 0.12
        cmd = DecisionCmd(
            actor=MAYOR_OFFICE,
            decision="refuse" if refuse else "impose",
            reason="RiHG: ernstig en onmiddellijk gevaar",
            decided_by=MAYOR if rng.random() < 0.3 else HULPOFFICIER,
            decided_at=at,
            veilig_thuis_consulted=self.case.children or rng.random() < 0.5,
            ordered_orally=rng.random() < 0.3,
        )
        if not await self.update("decision", HuisverbodWorkflow.decide, cmd):
            return
        self.book.meet("mayor_decision", at)
        if refuse:
            self.status, self.ended_at = "refused", at
            self.y.suspect_stall = 3
            self.book.close(at)
            return
        self.y.figures.imposed += 1
        self.status, self.imposed, self.last_decision = "imposed", at, at
        self.end = ban_end(at)
        self.book.add("contact_address", at)
        self.book.add("help_started", at)
        self.y.at(self.end, self.expired)
        self.plan(at)

    def plan(self, t: datetime) -> None:
        """Milestones, and perhaps a withdrawal, an extension, a violation, an appeal."""
        rng = self.rng
        fate = self.fate or pick(rng, (("withdraw", 0.05), ("extend", 0.35), ("expire", 0.60)))
        planned_end = self.end
        if fate == "withdraw":
            planned_end = clear_of(office(rng, t + timedelta(days=rng.uniform(1, 7))), self.book)
            self.y.at(planned_end, self.withdraw)
        elif fate.startswith("extend"):
            decide = office(rng, t + timedelta(days=rng.uniform(6, 8.5)))
            if decide < self.end - timedelta(hours=1):
                to_cap = fate == "extend_to_cap" or rng.random() < 0.7
                planned_end = ban_cap(t) if to_cap else plus_days(t, rng.randint(14, 27))
                self.then(decide, lambda: self.extend(planned_end))
        self.case.blocked_until = max(self.case.blocked_until, planned_end)
        self.then(t + minutes(rng, 0.2, 3), lambda: self.milestone("written_order_issued"))
        contact = minutes(rng, 0.5, 17.5) if rng.random() < 0.85 else minutes(rng, 25, 60)
        self.then(t + contact, lambda: self.milestone("contact_address_given"))
        help_days = rng.uniform(1, 9.5) if rng.random() < 0.85 else rng.uniform(10.2, 14)
        self.then(
            office(rng, t + timedelta(days=help_days)), lambda: self.milestone("help_started")
        )
        if rng.random() < 0.1:
            self.then(t + minutes(rng, 1, 200), self.violation)
        if self.fate is None and rng.random() < 0.1:
            lodged = office(rng, t + timedelta(days=rng.uniform(1, 8)))
            self.then(lodged, lambda: self.appeal("imposition"))

    async def milestone(self, milestone: str) -> None:
        at = self.y.now
        if self.running(at):
            cmd = MilestoneCmd(actor=MILESTONE_ACTORS[milestone], milestone=milestone, at=at)
            done = await self.update(milestone, HuisverbodWorkflow.record_milestone, cmd)
            if done and milestone in MILESTONE_DEADLINES:
                self.book.meet(MILESTONE_DEADLINES[milestone], at)

    async def violation(self) -> None:
        at = self.y.now
        if self.running(at):
            await self.update(
                "violation", HuisverbodWorkflow.record_violation, ViolationCmd(actor=POLICE, at=at)
            )

    async def extend(self, until: datetime) -> None:
        at = self.y.now
        if not self.running(at):
            return
        cmd = ExtensionCmd(
            actor=MAYOR_OFFICE,
            until=until,
            reason="dreiging duurt voort",
            decided_by=MAYOR,
            decided_at=at,
        )
        if await self.update("extension", HuisverbodWorkflow.extend, cmd):
            self.status, self.end, self.last_decision = "extended", until, at
            self.y.at(until, self.expired)
            if self.fate is None and self.rng.random() < 0.25:
                lodged = office(self.rng, at, self.rng.randint(1, 4))
                self.then(lodged, lambda: self.appeal("extension"))

    async def withdraw(self) -> None:
        at = self.y.now
        if self.running(at):
            cmd = WithdrawalCmd(
                actor=MAYOR_OFFICE, reason="het gevaar is geweken", decided_by=MAYOR, at=at
            )
            if await self.update("withdrawal", HuisverbodWorkflow.withdraw, cmd):
                self.finish("withdrawn", at)

    async def expired(self) -> None:
        """The ban's own timer ends it; the bench only notes it in its record."""
        if self.status in ("imposed", "extended") and self.end <= self.y.now:
            self.finish("expired", self.end)

    def finish(self, status: str, at: datetime) -> None:
        self.status, self.end, self.ended_at = status, at, at
        self.book.close(at)

    async def appeal(self, against: str) -> None:
        at, rng = self.y.now, self.rng
        if at > appeal_until(self.last_decision):
            return
        relief = rng.random() < 0.85
        cmd = AppealCmd(
            actor=JURIST, lodged_at=at, interim_relief_requested=relief, against=against
        )
        if not await self.update(f"appeal against {against}", HuisverbodWorkflow.appeal, cmd):
            return
        if relief and self.running(at):  # heard within 3 days, mostly
            self.book.add("interim_relief_hearing", at)
            self.then(office(rng, at + timedelta(days=rng.uniform(0.5, 3.5))), self.hearing)
        else:
            self.then(office(rng, at + timedelta(days=rng.uniform(5, 20))), self.ruling)

    async def hearing(self) -> None:
        at = self.y.now
        if await self.update(
            "hearing", HuisverbodWorkflow.record_hearing, HearingCmd(actor=JURIST, at=at)
        ):
            self.book.meet("interim_relief_hearing", at)
            self.then(office(self.rng, at, self.rng.randint(0, 2)), self.ruling)

    async def ruling(self) -> None:
        at = self.y.now
        outcome = "lifted" if self.rng.random() < 0.2 else "upheld"
        cmd = RulingCmd(actor=JURIST, outcome=outcome, ruled_at=at)
        if not await self.update(f"ruling {outcome}", HuisverbodWorkflow.rule, cmd):
            return
        self.book.meet("interim_relief_hearing", at)
        if outcome == "lifted" and self.running(at):
            self.finish("lifted", at)


# --- setting up the year, and the comparison ---


def dst_switches(start: date, days: int) -> list[date]:
    """The days in the period on which the Amsterdam clock changes."""
    noon = [wall(start + timedelta(days=n), clock(12)).astimezone(AMS) for n in range(days + 1)]
    return [b.date() for a, b in itertools.pairwise(noon) if a.utcoffset() != b.utcoffset()]


def populate(
    y: Year, meldingen: int, huisverboden: int, seed: int, start: date, days: int, shard: Shard
):
    """The cases of the year; the huisverboden go to police meldingen (mostly acute ones).
    Two bans per switch of the clock are placed on purpose: one that ends, one whose cap
    (reached by extension) falls at 02:30 on the day of the switch. The whole year is drawn,
    then this shard keeps its share of the cases."""
    y.cases = [Case(y, i, seed, start, days) for i in range(meldingen)]
    rng = random.Random(f"{seed}:huisverboden")
    police = [c for c in y.cases if c.reporter == "police"]
    others = [c for c in y.cases if c.reporter != "police"]
    chosen = rng.sample(police, min(huisverboden, len(police)))
    chosen += rng.sample(others, huisverboden - len(chosen))
    first = wall(start, clock(0)) + timedelta(hours=4)
    edges = [
        (wall(switch - timedelta(days=back), clock(2, 30)), fate)
        for switch in dst_switches(start, days)
        for back, fate in ((10, "expire"), (28, "extend_to_cap"))
    ]
    edges = [e for e in edges if e[0] >= first]
    for case in chosen:
        case.reporter = "police"
        case.acute = case.rng.random() < 0.8
        decision_at, fate = edges.pop() if edges else (None, None)
        if decision_at:
            case.received = case.blocked_until = decision_at - timedelta(hours=3)
        case.huisverbod = Huisverbod(case, decision_at, fate)
    y.cases = y.cases[shard.index :: shard.of]
    for case in y.cases:
        y.at(case.received, case.open)


def compare_book(
    f: Figures,
    what: str,
    book: Book,
    actual: list[Deadline],
    timeline: list[TimelineEvent],
    now: datetime,
) -> None:
    """The workflow's deadlines against the oracle's, key by key in the order they were set;
    then the moments its timers reminded and escalated, against those the rules give."""
    want: dict[tuple, list[Expected]] = {}
    got: dict[tuple, list[Deadline]] = {}
    for e in book.items:
        want.setdefault((e.key, e.ref), []).append(e)
    for d in actual:
        got.setdefault((d.key, d.ref), []).append(d)
    for key in sorted(want.keys() | got.keys(), key=str):
        w, g = want.get(key, []), got.get(key, [])
        if len(w) != len(g):
            f.mismatch(
                f"{key[0]}: count",
                f"{what}: {len(g)} × {key[0]} in the workflow, {len(w)} expected",
            )
        for e, d in zip(w, g, strict=False):
            f.deadlines += 1
            for name, theirs, ours in (
                ("due", d.due_at, e.due),
                ("reminder", d.remind_at, e.remind),
                ("status", d.status, e.status(now)),
                ("met at", d.met_at, e.met),
                ("reminded", d.reminded, e.reminded(now)),
            ):
                if theirs != ours:
                    f.mismatch(
                        f"{e.key}: {name}",
                        f"{what}: {e.key} from {show(e.start)}: {name} {show(theirs)} in the "
                        f"workflow, {show(ours)} by the rules",
                    )
    fired = sorted((t.kind, t.at) for t in timeline if t.kind in ("reminder", "escalated"))
    expected = sorted(
        [("reminder", e.remind) for e in book.items if e.reminded(now)]
        + [("escalated", e.due) for e in book.items if e.escalated(now)]
    )
    f.firings += len(expected)
    off = [  # a timer fires at its moment, or as soon after as the busy server gets to it
        (theirs, ours)
        for theirs, ours in zip(fired, expected, strict=False)
        if theirs[0] != ours[0] or not timedelta(0) <= theirs[1] - ours[1] < TIMER_LAG
    ]
    if len(fired) != len(expected) or off:
        theirs, ours = off[0] if off else (fired, expected)
        f.mismatch(
            "timers fired",
            f"{what}: timers fired {len(fired)}, expected {len(expected)}; first difference: "
            f"{firings(theirs)} in the workflow, {firings(ours)} by the rules",
        )
    f.timer_lag = max(
        [f.timer_lag] + [t[1] - o[1] for t, o in zip(fired, expected, strict=False) if t[0] == o[0]]
    )


def compare_ban(f: Figures, hv: Huisverbod, now: datetime) -> None:
    s = hv.y.rm.huisverboden.get(hv.id)
    if s is None:
        f.mismatch("huisverbod missing", f"{hv.label()}: not in the read model")
        return
    compare_book(f, hv.label(), hv.book, s.deadlines, s.timeline, now)
    status, end, ended_at = hv.status, hv.end, hv.ended_at
    if status in ("imposed", "extended") and end <= now:
        status, ended_at = "expired", end
    open_until = None
    if ended_at is not None and status != "refused":
        open_until = appeal_until(hv.last_decision)
    expected = {
        "status": status,
        "imposed_at": hv.imposed,
        "ends_at": end,
        "max_end": ban_cap(hv.imposed) if hv.imposed else None,
        "ended_at": ended_at,
        "open_until": open_until,
    }
    for name, ours in expected.items():
        f.ban_fields += 1
        theirs = getattr(s, name)
        if theirs != ours:
            f.mismatch(
                f"huisverbod: {name}",
                f"{hv.label()} imposed {show(hv.imposed)}: {name} {show(theirs)} in the "
                f"workflow, {show(ours)} by the rules",
            )


def compare(y: Year, now: datetime) -> None:
    f = y.figures
    for case in y.cases:
        snapshot = y.rm.cases.get(case.case_id)
        if snapshot is None:
            f.mismatch("case missing", f"{case.label()}: not in the read model")
            continue
        own = [t for t in snapshot.timeline if t.source == "case"]
        compare_book(f, case.label(), case.book, snapshot.deadlines, own, now)
        if (snapshot.phase == "closed") != case.closed:
            f.mismatch(
                "case closed", f"{case.label()}: phase {snapshot.phase}, closed {case.closed}"
            )
        if case.path_book:
            path = y.rm.paths.get(case.path_id or "")
            state = path.state if path else {"deadlines": [], "timeline": []}
            compare_book(
                f,
                f"acute path of {case.label()}",
                case.path_book,
                [Deadline.model_validate(d) for d in state["deadlines"]],
                [TimelineEvent.model_validate(t) for t in state["timeline"]],
                now,
            )
        if case.huisverbod and case.huisverbod.status != "planned":
            compare_ban(f, case.huisverbod, now)


async def drive_year(
    *,
    meldingen: int = 5000,
    huisverboden: int = 150,
    seed: int = 1,
    start: date = date(2027, 1, 1),
    days: int = 365,
    shard: Shard = Shard(),
) -> Figures:
    """Drive the year, or a shard's share of its cases, and compare; the figures of the run."""
    began = time.perf_counter()
    read_model = FakeReadModel()
    first, end = wall(start, clock(0)), wall(start + timedelta(days=days), clock(0))
    async with time_skipping(converter_with_test_keys()) as env:
        if await env.get_current_time() >= first:
            raise ValueError(f"the period must start after the test server's clock: {start}")
        task_queue = f"year-{uuid.uuid4().hex[:8]}"
        y = Year(env, task_queue, read_model, end)
        populate(y, meldingen, huisverboden, seed, start, days, shard)
        # every open workflow stays cached: with the default of 1,000 the worker evicts and
        # replays cases, a cost of the cache size rather than of the year
        async with fake_worker(env.client, task_queue, read_model, max_cached_workflows=20_000):
            await y.run(start, days, shard)
            await env.sleep(timedelta(seconds=30))  # what is due at the last midnight fires
            compare(y, end + timedelta(seconds=30))
    y.figures.wall_seconds = time.perf_counter() - began
    return y.figures


def drive_shard(year: dict, shard: Shard) -> Figures:
    return asyncio.run(drive_year(**year, shard=shard))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--meldingen", type=int, default=5000)
    parser.add_argument("--huisverboden", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2027, 1, 1))
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument(
        "--shards", type=int, default=2, help="test servers driving a share of the cases each"
    )
    parser.add_argument("--show", type=int, default=10, help="mismatches shown in detail")
    args = parser.parse_args()
    last = args.start + timedelta(days=args.days - 1)
    print(f"a region's year: {args.start} to {last}, seed {args.seed}", flush=True)
    began = time.perf_counter()
    year = {k: getattr(args, k) for k in ("meldingen", "huisverboden", "seed", "start", "days")}
    shards = [Shard(i, args.shards, progress=True) for i in range(args.shards)]
    with ProcessPoolExecutor(args.shards, mp_context=get_context("spawn")) as pool:
        parts = list(pool.map(drive_shard, [year] * args.shards, shards))
    f = Figures()
    for part in parts:
        f.add(part)
    f.wall_seconds = time.perf_counter() - began
    print(f"shards              {args.shards}, each on its own test server and worker process")
    print(
        f"wall time           {f.wall_seconds:.0f} s ({f.sleeping_seconds:.0f} s of it skipping time)"
    )
    print(f"meldingen           {f.meldingen}")
    print(f"huisverboden        {f.huisverboden} requested, {f.imposed} imposed")
    print(f"commands            {f.commands}, refused {len(f.refused)}")
    print(f"time-skipping stalls undone {f.unlocks}")
    print(f"deadlines compared  {f.deadlines} (due, reminder, status, met, reminded)")
    print(
        f"timers compared     {f.firings} reminders and escalations, by the moment they fired "
        f"(at most {f.timer_lag.total_seconds():.1f} s after it)"
    )
    print(f"ban fields compared {f.ban_fields} (status, imposed, end, cap, ended, appeal term)")
    print(f"mismatches          {len(f.mismatches)}")
    for kind, count in sorted(f.mismatch_kinds.items()):
        print(f"  {count:5d} × {kind}")
    for line in f.refused[: args.show]:
        print(f"  refused: {line}")
    for line in f.mismatches[: args.show]:
        print(f"  {line}")


if __name__ == "__main__":
    main()
