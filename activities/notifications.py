"""Telling partners: plan a notice's deliveries in the outbox, deliver each exactly once.

A procedure hands the notices of a step to `enqueue` (a local activity): it resolves the
recipients (the table in `domain.notifications`) against the case file and the chain
configuration, stores one delivery per recipient under a stable key and wakes the region's
dispatcher workflow, which calls `deliver_due` in rounds: each round claims the deliveries
whose attempt is due, sends them side by side (a partner that does not answer delays only
its own deliveries), and schedules a failed one again with backoff until the delivery
policy's attempts are used up; then it is marked failed, escalated to the regional
coordinator and put on the case timeline. A sent delivery is never sent again by the
outbox; a send cut off before its bookkeeping is repeated, and the receiver recognises the
repeat by its key (an e-mail's Message-ID, a webhook's CloudEvent id).

`plan_notice`, `deliver` and `fail_delivery` serve the notify workflows of cases that started
before the dispatcher (one workflow per notice).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from pydantic import BaseModel
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from activities.channels import PERMANENT, Sender
from domain.advice import AdviceState
from domain.case import CaseSnapshot
from domain.catalogue import Catalogue
from domain.chain import Chain, EmailChannel, Region
from domain.events import event_type
from domain.huisverbod import HuisverbodSnapshot
from domain.ids import (
    NOTIFICATION_FAILED,
    case_workflow_id,
)
from domain.models import (
    DispatchInput,
    DispatchRound,
    FailedDelivery,
    Notice,
    NoticeBatch,
    PlannedDelivery,
)
from domain.notifications import (
    HANDLE_WITH_CARE,
    CaseContacts,
    Child,
    Recipient,
    audience_name,
    event_message,
    handle_with_care_due,
    handle_with_care_message,
    next_school_day,
    recipients,
    undelivered,
)
from domain.policy import DeliveryPolicy
from domain.procedure import PathRecord
from domain.zgw import AUDIENCE as ZAAKSYSTEEM
from domain.zgw import CHANNEL as ZGW
from domain.zgw import huisverbod_of
from infra.client import signal_dispatcher
from store import advice, cases, huisverboden, notices, paths

BATCH = 100  # deliveries one dispatcher round takes; the next round follows at once
HEARTBEAT = timedelta(seconds=10)  # a round that stops heartbeating is run again


class ProjectedNotices(BaseModel):
    """A procedure's state (one of the four) and the notices a step of it decided on."""

    batch: NoticeBatch
    case: CaseSnapshot | None = None
    path: PathRecord | None = None
    huisverbod: HuisverbodSnapshot | None = None
    advice: AdviceState | None = None

    @classmethod
    def of(cls, state: BaseModel, batch: NoticeBatch) -> ProjectedNotices:
        field = {
            CaseSnapshot: "case",
            PathRecord: "path",
            HuisverbodSnapshot: "huisverbod",
            AdviceState: "advice",
        }[type(state)]
        return cls(batch=batch, **{field: state})

    async def write(self, conn: asyncpg.Connection) -> bool:
        """The state's versioned upsert (`activities.read_model`'s)."""
        if self.case is not None:
            return await cases.upsert_snapshot(conn, self.case)
        if self.path is not None:
            return await paths.upsert(conn, self.path)
        if self.huisverbod is not None:
            return await huisverboden.upsert_snapshot(conn, self.huisverbod)
        assert self.advice is not None
        return await advice.upsert_state(conn, self.advice)


class NotificationActivities:
    def __init__(
        self, pool: asyncpg.Pool, chain: Chain, sender: Sender, catalogue: Catalogue
    ) -> None:
        self._pool = pool
        self._chain = chain
        self._sender = sender
        self._catalogue = catalogue  # who hears of what, and the Dutch titles
        self._wakes = SharedWakes()

    async def _plan(
        self, conn: asyncpg.Connection, notice: Notice, *, dispatched: bool
    ) -> list[asyncpg.Record]:
        """The notice's deliveries, planned once; none when its case or advice question was
        destroyed (nobody is to be told anything then)."""
        contacts = await (_advice_contacts if notice.about == "advice" else _case_contacts)(
            conn, notice.case_id
        )
        if contacts is None:
            return []
        region = self._chain.region(notice.region) or Region(
            slug=notice.region, name=notice.region, municipalities=[]
        )
        rows = [
            _delivery(self._catalogue, notice, region, r, contacts.number)
            for r in recipients(self._catalogue, notice, region, contacts)
        ]
        return await notices.plan(conn, notice, rows, dispatched=dispatched)

    @activity.defn
    async def enqueue(self, batch: NoticeBatch) -> None:
        """Put a step's notices in the outbox and wake their region's dispatcher. A recipient
        that has no channel at all is escalated at once. Idempotent on the notices' keys."""
        async with self._pool.acquire() as conn:
            planned = [(n, await self._plan(conn, n, dispatched=True)) for n in batch.notices]
        await self._planned(planned, batch.delivery)

    @activity.defn
    async def enqueue_projected(self, step: ProjectedNotices) -> None:
        """A step's projection and its notices in one transaction (as `enqueue`, and the
        versioned upsert of `activities.read_model`): a reminder costs one local activity, and
        the read model never shows a step whose notices are not in the outbox."""
        async with self._pool.acquire() as conn, conn.transaction():
            await step.write(conn)
            planned = [(n, await self._plan(conn, n, dispatched=True)) for n in step.batch.notices]
        await self._planned(planned, step.batch.delivery)

    async def _planned(
        self, planned: list[tuple[Notice, list[asyncpg.Record]]], delivery: DeliveryPolicy
    ) -> None:
        """Escalate at once what cannot be delivered at all; wake the regions' dispatchers."""
        regions = {notice.region for notice, stored in planned if stored}
        for notice, stored in planned:
            if failed := [d for d in stored if d["status"] == "failed"]:
                await self._escalate(notice, failed, delivery)
        for region in sorted(regions):
            await self._wakes.wake(region, delivery)

    @activity.defn
    async def deliver_due(self, job: DispatchInput) -> DispatchRound:
        """One round of the region's dispatcher: send every delivery whose attempt is due (up
        to a batch), side by side; answer what happened and when the next one is due."""
        policy = job.delivery
        hold = policy.timeout * 2
        async with self._pool.acquire() as conn:
            claimed = await notices.claim_due(conn, job.region, BATCH, hold)
        sending = asyncio.gather(*(self._attempt(dict(d), policy) for d in claimed))
        while not sending.done():  # alive: a round cut off by a crash is taken up again soon
            activity.heartbeat()
            await asyncio.wait({sending}, timeout=HEARTBEAT.total_seconds() / 3)
        outcomes = sending.result()
        async with self._pool.acquire() as conn:
            next_at = await notices.next_due(conn, job.region)
        return DispatchRound(
            sent=outcomes.count("sent"),
            retried=outcomes.count("retried"),
            failed=outcomes.count("failed"),
            more=len(claimed) == BATCH,
            next_at=next_at,
        )

    async def _attempt(self, d: dict, policy: DeliveryPolicy) -> str:
        """Send one claimed delivery and book the outcome: "sent", "retried" or "failed"."""
        try:
            await asyncio.wait_for(self._sender.send(d), policy.timeout.total_seconds())
        except Exception as e:  # noqa: BLE001 - every failure is booked on the delivery
            error = f"{type(e).__name__}: {e}"
            permanent = isinstance(e, ApplicationError) and e.type == PERMANENT
            wait = None if permanent else policy.backoff(d["attempts"])
            async with self._pool.acquire() as conn:
                if wait is not None:
                    await notices.retry_later(conn, d["key"], error, wait)
                    return "retried"
                await notices.record_error(conn, d["key"], error, final=True)
                notice = await notices.notice(conn, d["notice_key"])
            activity.metric_meter().create_counter("ketenregie_notifications_failed").add(1)
            if notice is not None:
                await self._escalate(notice, [d], policy)
            return "failed"
        await self._sent(d)
        return "sent"

    async def _sent(self, d: Any) -> None:
        async with self._pool.acquire() as conn:
            await notices.mark_sent(conn, d["key"])
        activity.metric_meter().create_counter("ketenregie_notifications_sent").add(
            1, {"channel": d["channel"], "audience": d["audience"]}
        )

    async def _escalate(self, notice: Notice, failed: list, policy: DeliveryPolicy) -> None:
        """Tell the regional coordinator that `notice` did not reach everyone, once, and put
        it on the case timeline (a case that ended keeps it in the outbox only)."""
        if notice.kind == "escalation":
            return
        missed = [(d["partner_id"], d["audience"]) for d in failed]
        escalation = undelivered(self._catalogue, notice, missed, datetime.now(UTC))
        async with self._pool.acquire() as conn:
            if await notices.notice(conn, escalation.key) is not None:
                return
            await self._plan(conn, escalation, dispatched=True)
        await self._wakes.wake(escalation.region, policy)
        if notice.about == "advice":  # its coordinator is told; the question has no such event
            return
        try:
            case = activity.client().get_workflow_handle(case_workflow_id(notice.case_id))
            await case.signal(NOTIFICATION_FAILED, escalation.detail)
        except RPCError as e:
            if e.status != RPCStatusCode.NOT_FOUND:
                raise

    @activity.defn
    async def plan_notice(self, notice: Notice) -> list[PlannedDelivery]:
        async with self._pool.acquire() as conn:
            stored = await self._plan(conn, notice, dispatched=False)
        return [
            PlannedDelivery(
                key=d["key"],
                audience=d["audience"],
                partner_id=d["partner_id"],
                status=d["status"],
                error=d["last_error"],
            )
            for d in stored
        ]

    @activity.defn
    async def deliver(self, key: str) -> bool:
        """Send delivery `key`; False when it was sent before (a retry after a crash)."""
        async with self._pool.acquire() as conn:
            d = await notices.begin_attempt(conn, key)
        if d is None:
            return False
        try:
            await self._sender.send(dict(d))
        except Exception as e:
            async with self._pool.acquire() as conn:
                await notices.record_error(conn, key, f"{type(e).__name__}: {e}", final=False)
            raise
        await self._sent(d)
        return True

    @activity.defn
    async def fail_delivery(self, failed: FailedDelivery) -> None:
        async with self._pool.acquire() as conn:
            await notices.record_error(conn, failed.key, failed.error, final=True)
        activity.metric_meter().create_counter("ketenregie_notifications_failed").add(1)


async def wake_dispatcher(region: str, delivery: DeliveryPolicy) -> None:
    """Signal the region's dispatcher that deliveries wait, starting it when it does not run
    (signal-with-start: one call either way)."""
    await signal_dispatcher(activity.client(), activity.info().task_queue, region, delivery)


class SharedWakes:
    """Wakes of one region's dispatcher that are asked for while one is on its way share the
    next one: a caller returns once a signal that left after its call was accepted, so no row
    it committed waits unseen, and a storm of 5,000 reminders at 09:00 signals the dispatcher
    a few times a second rather than 5,000 times (each signal is a write to the dispatcher's
    one history, which the server serialises)."""

    def __init__(self) -> None:
        self._next: dict[tuple[str, str], asyncio.Future] = {}
        self._senders: dict[tuple[str, str], asyncio.Task] = {}

    async def wake(self, region: str, delivery: DeliveryPolicy) -> None:
        key = (activity.info().task_queue, region)
        waiting = self._next.get(key)
        if waiting is None:
            waiting = self._next[key] = asyncio.get_running_loop().create_future()
            if key not in self._senders:
                signal = self._signal(key, activity.client(), delivery)
                self._senders[key] = asyncio.create_task(signal)
        await asyncio.shield(waiting)

    async def _signal(self, key: tuple[str, str], client: Client, delivery: DeliveryPolicy) -> None:
        """Send the wakes of `key` one after another until nobody waits for one."""
        try:
            while (waiting := self._next.pop(key, None)) is not None:
                task_queue, region = key
                try:
                    await signal_dispatcher(client, task_queue, region, delivery)
                except Exception as e:  # noqa: BLE001 - each caller retries its own activity
                    waiting.set_exception(e)
                else:
                    waiting.set_result(None)
        finally:
            del self._senders[key]


async def _case_contacts(conn: asyncpg.Connection, case_id: str) -> CaseContacts | None:
    case = await conn.fetchrow(
        """SELECT f.persons, f.wijkteam, c.municipality, c.partner, c.number,
                  s.email AS worker
           FROM case_files f JOIN cases c USING (case_id)
           LEFT JOIN staff s ON s.subject = c.assigned_to
           WHERE f.case_id = $1""",
        case_id,
    )
    if case is None:
        return None
    persons = case["persons"]
    return CaseContacts(
        municipality=case["municipality"],
        worker_email=case["worker"],
        number=case["number"],
        huisartsen=[p["huisarts"] for p in persons if p.get("huisarts") and p["role"] != "pleger"],
        wijkteams=[t for t in (case["wijkteam"], case["partner"]) if t],
        children=[
            Child(ref=p["ref"], name=p["name"], birth_date=p.get("birth_date"), care=p["school"])
            for p in persons
            if p["role"] == "child" and p.get("school")
        ],
    )


async def _advice_contacts(conn: asyncpg.Connection, advice_id: str) -> CaseContacts | None:
    """An advice question reaches Veilig Thuis only: its team, its coordinator."""
    municipality = await conn.fetchval(
        "SELECT coalesce(municipality, '') FROM advice_questions WHERE advice_id = $1", advice_id
    )
    return None if municipality is None else CaseContacts(municipality=municipality)


def _delivery(
    catalogue: Catalogue, notice: Notice, region: Region, r: Recipient, number: str | None
) -> dict:
    """The outbox row for one recipient: its key, channel and the message it gets."""
    key = f"{notice.key}>{r.partner.id if r.partner else r.audience}"
    if r.child is not None:
        at = notice.at or datetime.now(UTC)
        # one notice per child and school day: a huisverbod after a call-out adds none
        key = f"handle_with_care:{notice.case_id}:{r.child.ref}:{next_school_day(at)}"
        body = {"template": "handle_with_care", **handle_with_care_message(r.child, region.contact)}
        subject = HANDLE_WITH_CARE
        due_at = handle_with_care_due(at)
    else:
        body = {"template": "event", **event_message(catalogue, notice, r.audience, number)}
        # its CloudEvents type, fixed with its title: whichever worker sends it, as meant
        with contextlib.suppress(LookupError):  # a notice of no table: refused when sent
            body["type"] = event_type(catalogue, notice)
        subject = f"ketenregie: {body['title']}"
        due_at = notice.due_at
    if r.audience == ZAAKSYSTEEM and r.partner and r.partner.zaaksysteem:
        return _filing(notice, r, body["title"], r.partner.zaaksysteem.zaken_api)
    channel = r.partner.channel(r.role) if r.partner else None
    if r.email is not None:
        channel = EmailChannel(kind="email", to=r.email)
    problem = None
    if r.partner is None:
        problem = (
            f"in {region.name} is voor deze gemeente niemand ingesteld als "
            f"{audience_name(r.audience)}"
        )
    elif channel is None:
        problem = f"voor {r.partner.name} is geen kanaal ingesteld"
    return {
        "key": key,
        "audience": r.audience,
        "partner_id": r.partner.id if r.partner else None,
        "channel": channel.kind if channel else "none",
        "address": (channel.to if channel.kind == "email" else channel.url) if channel else "",
        "subject": subject,
        "body": body,
        "due_at": due_at,
        "status": "failed" if problem else "pending",
        "last_error": problem,
    }


def _filing(notice: Notice, r: Recipient, title: str, zaken_api: str) -> dict:
    """The outbox row that files a huisverbod event in the municipality's zaaksysteem: which
    huisverbod, which event and when; the filing reads the rest from Postgres."""
    return {
        "key": f"{notice.key}>{ZAAKSYSTEEM}:{r.partner.id}",
        "audience": r.audience,
        "partner_id": r.partner.id,
        "channel": ZGW,
        "address": zaken_api,
        "subject": f"zaaksysteem: {title}",
        "body": {
            "template": ZGW,
            "title": title,
            "huisverbod_id": huisverbod_of(notice.key),
            "event": notice.subject,
            "at": (notice.at or datetime.now(UTC)).isoformat(),
        },
        "due_at": None,
        "status": "pending",
        "last_error": None,
    }
