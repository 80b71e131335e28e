"""Advice questions: registered and their workflow started; Veilig Thuis gives advice, agrees
and records follow-ups, closes the question or turns it into a melding. The workflow decides
(a step the status does not allow is a 409) and gets references; the texts go to Postgres
under the reference the workflow accepted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ValidationError
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from domain.advice import (
    AdviceCloseIn,
    AdviceFilter,
    AdviceIn,
    AdviceInput,
    AdviceQuestionIn,
    AdviceState,
    CloseAdviceCmd,
    ConvertCmd,
    ConvertIn,
    FollowUpDoneCmd,
    FollowUpIn,
    GiveAdviceCmd,
    check_follow_up,
    melding_of,
    prior_events,
    refusal,
)
from domain.chain_policy import Policy
from domain.ids import advice_workflow_id
from domain.policy import RuleViolation
from domain.procedure import check_partners
from infra.client import not_reached
from services import case as case_service
from services import radar
from services.context import Caller, Parts, at_or_now
from services.errors import Refused, check, forbidden, not_found, run_command, unprocessable
from store import advice as advice_store

ADVICE_WORKFLOW = "AdviceWorkflow"  # its type, by name: the API does not load the workflows
CLOSED = "de adviesvraag is afgesloten; er kan niets meer aan veranderen"


async def start_workflow(client: Client, policy: Policy, task_queue: str, q: dict) -> None:
    """Start (or find already running) the question's workflow; idempotent on its id."""
    await client.start_workflow(
        ADVICE_WORKFLOW,
        AdviceInput(
            advice_id=q["advice_id"],
            region=q["region"],
            asker_kind=q["asker"]["kind"],
            family_named=bool(q["persons"]),
            received_at=q["received_at"],
            policy=policy.veilig_thuis,
            delivery=policy.delivery,
        ),
        id=advice_workflow_id(q["advice_id"]),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )


def _region(caller: Caller) -> str:
    """Veilig Thuis sees the advice questions of its own region; nobody else sees any."""
    region = caller.scope.region if caller.principal.org_kind == "veilig_thuis" else None
    if region is None:
        raise not_found("adviesvraag")
    return region


def _logged(caller: Caller, advice_id: str, persons: list[dict], what: str = "") -> None:
    caller.audit.touches_advice(advice_id, [p["ref"] for p in persons])
    caller.audit.detail = f"advice {advice_id}{what}"


async def register(parts: Parts, caller: Caller, q: AdviceQuestionIn) -> tuple[str, datetime, str]:
    """Store the question, then start its workflow; when Temporal is unreachable the question
    is kept (orchestration "pending") and started once it is back. Answers (advice id,
    received at, orchestration)."""
    chain, principal = parts.chain, caller.principal
    if q.region != principal.region:
        raise forbidden(f"{principal.org} registers advice questions for region {principal.region}")
    if q.municipality and (problem := chain.check_location(q.region, q.municipality)):
        raise unprocessable(problem)
    if q.asker.partner:
        check(check_partners, chain, q.region, [q.asker.partner], ())
    for i, p in enumerate(q.persons):
        for field, partner_id in (("huisarts", p.huisarts), ("school", p.school)):
            if partner_id and (problem := chain.check_partner(q.region, partner_id, ())):
                raise unprocessable(f"persons[{i}].{field}: {problem}")
    received_at = at_or_now(q.received_at, "received_at")
    advice_id = caller.new_id("advice")
    async with parts.pool.acquire() as conn, conn.transaction():
        await advice_store.insert(conn, advice_id, q, received_at)
        stored = await advice_store.get(conn, advice_id, q.region)
        await radar.register(
            conn,
            parts.radar,
            chain,
            kind="advice",
            contact_id=advice_id,
            region=q.region,
            at=stored["received_at"],
            persons=stored["persons"],
        )
    _logged(caller, advice_id, stored["persons"], " registered")
    try:
        await start_workflow(parts.client, parts.policy, parts.task_queue, stored)
    except (RPCError, RuntimeError) as e:
        if not not_reached(e):
            raise
        return advice_id, stored["received_at"], "pending"
    async with parts.pool.acquire() as conn:
        await advice_store.mark_started(conn, advice_id)
    return advice_id, stored["received_at"], "started"


async def give_advice(parts: Parts, caller: Caller, advice_id: str, body: AdviceIn) -> AdviceState:
    """Record the advice (its text in Postgres) and the follow-up agreed, if any."""
    at = await _step_time(parts, caller, advice_id, body.at)
    check(check_follow_up, at, body.follow_up_at)
    ref = caller.new_id("advice-note")
    state = await _update(
        parts,
        caller,
        advice_id,
        "give_advice",
        GiveAdviceCmd(ref=ref, at=at, follow_up_at=body.follow_up_at),
    )
    async with parts.pool.acquire() as conn:
        await advice_store.add_note(conn, advice_id, ref, "advice", body.advice, at)
    return state


async def record_follow_up(
    parts: Parts, caller: Caller, advice_id: str, body: FollowUpIn
) -> AdviceState:
    """The follow-up agreed with the asker took place; a note and a further one, if any."""
    at = await _step_time(parts, caller, advice_id, body.at)
    check(check_follow_up, at, body.next_follow_up_at)
    ref = caller.new_id("advice-follow-up")
    cmd = FollowUpDoneCmd(
        ref=ref, at=at, noted=body.note is not None, next_follow_up_at=body.next_follow_up_at
    )
    state = await _update(parts, caller, advice_id, "record_follow_up", cmd)
    if body.note is not None:
        async with parts.pool.acquire() as conn:
            await advice_store.add_note(conn, advice_id, ref, "follow_up", body.note, at)
    return state


async def close(parts: Parts, caller: Caller, advice_id: str, body: AdviceCloseIn) -> AdviceState:
    at = await _step_time(parts, caller, advice_id, body.at)
    cmd = CloseAdviceCmd(ref=caller.new_id("advice-close"), at=at, reason=body.reason)
    return await _update(parts, caller, advice_id, "close", cmd)


async def convert(
    parts: Parts, caller: Caller, advice_id: str, body: ConvertIn
) -> tuple[AdviceState, str, str]:
    """Turn the question into a melding: the case is registered (its timeline opening with the
    advice's history), then the question is marked converted with a link to it. Answers
    (the question's state, case id, the case's orchestration)."""
    region = _region(caller)
    if not caller.principal.may("case.create"):
        raise forbidden("u mag geen melding registreren")
    async with parts.pool.acquire() as conn:
        q = await advice_store.get(conn, advice_id, region)
    if q is None:
        raise not_found("adviesvraag")
    _logged(caller, advice_id, q["persons"], " converted into a melding")
    if problem := refusal(q["status"], "convert"):
        raise Refused(409, problem)
    at = at_or_now(None)
    try:
        melding = melding_of(q, body, at)
    except RuleViolation as e:
        raise unprocessable(str(e)) from None
    except ValidationError as e:
        raise unprocessable(f"de melding is niet volledig: {e.errors()[0]['msg']}") from None
    prior = prior_events(advice_id, q["timeline"], at)
    case_id, _, orchestration = await case_service.open_melding(parts, caller, melding, prior)
    cmd = ConvertCmd(ref=caller.new_id("advice-convert"), at=at, case_id=case_id)
    state = await _update(parts, caller, advice_id, "convert", cmd)
    return state, case_id, orchestration


async def _step_time(parts: Parts, caller: Caller, advice_id: str, at: datetime | None) -> datetime:
    """The moment of a step on a question the caller may see (else 404)."""
    region = _region(caller)
    async with parts.pool.acquire() as conn:
        if await advice_store.status_of(conn, advice_id, region) is None:
            raise not_found("adviesvraag")
    caller.audit.detail = f"advice {advice_id}"
    return at_or_now(at)


async def _update(
    parts: Parts, caller: Caller, advice_id: str, update: str, cmd: Any
) -> AdviceState:
    handle = parts.client.get_workflow_handle(advice_workflow_id(advice_id))
    cmd = cmd.model_copy(update={"actor": caller.principal.actor()})  # who gives it
    return await run_command(
        handle,
        update,
        cmd,
        closed_reason=CLOSED,
        update_id=caller.new_id("update"),
        result_type=AdviceState,
    )


# --- reads: the region's questions, every read logged ---


async def find(
    parts: Parts, caller: Caller, what: AdviceFilter, *, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of the region's advice questions that match, newest first; how many match."""
    region = _region(caller)
    async with parts.pool.acquire() as conn:
        rows, total = await advice_store.find(conn, region, what, limit=limit, offset=offset)
    asked = ", ".join(f"{k}={v}" for k, v in vars(what).items() if v is not None)
    caller.audit.detail = f"advice search {asked}".strip()
    return [dict(r) for r in rows], total


async def detail(parts: Parts, caller: Caller, advice_id: str) -> dict[str, Any]:
    """The question with its persons, advice texts, timeline and deadlines, and for those
    with the right to know its earlier contacts (each earlier case logged as accessed)."""
    region = _region(caller)
    async with parts.pool.acquire() as conn:
        q = await advice_store.get(conn, advice_id, region)
        if q is None:
            raise not_found("adviesvraag")
        earlier = None
        if caller.principal.may("case.earlier_contacts"):
            earlier = await radar.earlier_contacts(
                conn, parts.chain, "advice", advice_id, region, q["received_at"]
            )
    _logged(caller, advice_id, q["persons"])
    radar.logged(caller.audit, earlier or [])
    return {**q, "earlier_contacts": None if earlier is None else [e.model_dump() for e in earlier]}
