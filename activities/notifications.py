"""Telling partners: plan a notice's deliveries in the outbox, deliver each exactly once.

`plan_notice` resolves the recipients (the table in `domain.notifications`) against the case
file and the chain configuration and stores one delivery per recipient under a stable key;
`deliver` sends one of them unless the outbox says it went out already. Temporal retries
`deliver`; a retried or replayed attempt finds the delivery sent and sends nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from temporalio import activity

from activities.channels import Sender
from domain.chain import Chain, EmailChannel, Region
from domain.models import FailedDelivery, Notice, PlannedDelivery
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
)
from store import notices


class NotificationActivities:
    def __init__(self, pool: asyncpg.Pool, chain: Chain, sender: Sender) -> None:
        self._pool = pool
        self._chain = chain
        self._sender = sender

    @activity.defn
    async def plan_notice(self, notice: Notice) -> list[PlannedDelivery]:
        async with self._pool.acquire() as conn:
            case = await conn.fetchrow(
                """SELECT f.persons, f.wijkteam, c.municipality, c.partner, s.email AS worker
                   FROM case_files f JOIN cases c USING (case_id)
                   LEFT JOIN staff s ON s.subject = c.assigned_to
                   WHERE f.case_id = $1""",
                notice.case_id,
            )
            if case is None:  # the case was destroyed: nobody is to be told anything
                return []
            region = self._chain.region(notice.region) or Region(
                slug=notice.region, name=notice.region, municipalities=[]
            )
            rows = [
                _delivery(notice, region, r) for r in recipients(notice, region, _contacts(case))
            ]
            stored = await notices.plan(conn, notice, rows)
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
        async with self._pool.acquire() as conn:
            await notices.mark_sent(conn, key)
        activity.metric_meter().create_counter("ketenregie_notifications_sent").add(
            1, {"channel": d["channel"], "audience": d["audience"]}
        )
        return True

    @activity.defn
    async def fail_delivery(self, failed: FailedDelivery) -> None:
        async with self._pool.acquire() as conn:
            await notices.record_error(conn, failed.key, failed.error, final=True)
        activity.metric_meter().create_counter("ketenregie_notifications_failed").add(1)


def _contacts(case: asyncpg.Record) -> CaseContacts:
    persons = case["persons"]
    return CaseContacts(
        municipality=case["municipality"],
        worker_email=case["worker"],
        huisartsen=[p["huisarts"] for p in persons if p.get("huisarts") and p["role"] != "pleger"],
        wijkteams=[t for t in (case["wijkteam"], case["partner"]) if t],
        children=[
            Child(ref=p["ref"], name=p["name"], birth_date=p.get("birth_date"), care=p["school"])
            for p in persons
            if p["role"] == "child" and p.get("school")
        ],
    )


def _delivery(notice: Notice, region: Region, r: Recipient) -> dict:
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
        body = {"template": "event", **event_message(notice)}
        subject = f"ketenregie: {body['title']}"
        due_at = notice.due_at
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
