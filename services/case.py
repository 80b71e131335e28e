"""The case: a melding registered and its workflow started; the Veilig Thuis worker moves
it on (safety assessment, follow-up, investigation, monitoring, closure, consent refused).
A step the case's phase does not allow is a 409."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any

from opentelemetry import trace
from pydantic import BaseModel
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDConflictPolicy
from temporalio.service import RPCError

from domain.access import Principal
from domain.case import (
    FOLLOW_UP_NAMES,
    FOLLOW_UP_PATHS,
    CaseFilter,
    CaseInput,
    ConsentRefusedCmd,
    FollowUpCmd,
    MeldingIn,
    PersonRef,
    Unsafety,
    check_child_consent,
    check_received,
)
from domain.chain_policy import Policy
from domain.commands import command
from domain.ids import case_workflow_id
from domain.models import TimelineEvent
from domain.names import search_name
from domain.procedure import StartPathCmd, birth_date, check_partners, person
from infra.client import REGION, not_reached, terminate
from services import huisverbod, procedures, radar
from services.case_steps import STEPS
from services.context import Caller, Parts, at_or_now
from services.errors import Refused, check, forbidden, not_found, run_command, unprocessable
from services.procedures import case_file
from store import cases, deadlines, destruction, huisverboden, notices, staff

CASE_WORKFLOW = "CaseWorkflow"  # its type, by name: the API does not load the workflows
CASE_CLOSED = "de casus is gesloten (of de orkestratie is nog niet gestart)"


async def start_case(client: Client, policy: Policy, task_queue: str, case: dict) -> None:
    """Start (or find already running) the case workflow; idempotent on the case id."""
    await client.start_workflow(
        CASE_WORKFLOW,
        CaseInput(
            case_id=case["case_id"],
            region=case["region"],
            municipality=case["municipality"],
            reporter_kind=case["reporter"]["kind"],
            reporter_partner=case["reporter"].get("partner"),
            persons=[PersonRef(ref=p["ref"], role=p["role"]) for p in case["persons"]],
            unsafety=Unsafety(**case["unsafety"]),
            received_at=case["opened_at"],
            policy=policy,
            repeat_violence=case["repeat_violence"],
            # until the workflow's first projection, the timeline holds what came before
            prior=[TimelineEvent.model_validate(e) for e in case["timeline"]],
        ),
        id=case_workflow_id(case["case_id"]),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        # the region outlives a data key lost in a restore (`infra.client.REGION`)
        search_attributes=TypedSearchAttributes([SearchAttributePair(REGION, case["region"])]),
    )


def involved_partners(melding: MeldingIn):
    """(field, partner id, allowed kinds) of every partner the melding names."""
    if melding.wijkteam:
        yield "wijkteam", melding.wijkteam, ("sociaal_wijkteam",)
    for i, p in enumerate(melding.persons):
        if p.huisarts:
            yield f"persons[{i}].huisarts", p.huisarts, ("huisarts",)
        if p.school:
            if p.role != "child":
                raise unprocessable(f"persons[{i}].school: alleen een kind heeft een school")
            yield f"persons[{i}].school", p.school, ("school", "kinderopvang")


async def open_melding(
    parts: Parts, caller: Caller, melding: MeldingIn, prior: Sequence[TimelineEvent] = ()
) -> tuple[str, datetime, str]:
    """Register a melding: the case file is stored first, then its workflow starts. When
    Temporal is unreachable the case is kept (orchestration "pending") and started as soon as
    it is back, so a melding is never lost. `prior` opens the case's timeline (the advice the
    melding grew from). Answers (case id, received at, orchestration)."""
    chain, principal = parts.chain, caller.principal
    if problem := chain.check_location(melding.region, melding.municipality):
        raise unprocessable(problem)
    for field, partner_id, kinds in involved_partners(melding):
        if problem := chain.check_partner(melding.region, partner_id, kinds):
            raise unprocessable(f"{field}: {problem}")
    if melding.reporter.partner:
        check(check_partners, chain, melding.region, [melding.reporter.partner], ())
    if melding.region != principal.region:
        raise forbidden(
            f"{principal.org} registreert alleen meldingen voor regio {principal.region}"
        )
    received_at = at_or_now(melding.received_at, "received_at")
    check(check_received, received_at, datetime.now(UTC))
    case_id = caller.new_id("case")
    async with parts.pool.acquire() as conn, conn.transaction():
        prefix = chain.region(melding.region).number_prefix  # type: ignore[union-attr]
        await cases.insert_case(conn, case_id, melding, received_at, prefix, prior)
        case = await cases.get_case(conn, case_id)
        _, repeat = await radar.register(
            conn,
            parts.radar,
            chain,
            kind="melding",
            contact_id=case_id,
            region=melding.region,
            at=case["opened_at"],
            persons=case["persons"],
        )
        if repeat and not case["repeat_violence"]:
            await cases.flag_repeat_violence(conn, case_id)
            case["repeat_violence"] = True
    trace.get_current_span().set_attribute("ketenregie.case_id", case_id)
    caller.audit.touches(case_id, [p.ref for p in melding.persons])
    try:
        await start_case(parts.client, parts.policy, parts.task_queue, case)
    except (RPCError, RuntimeError) as e:
        if not not_reached(e):
            raise
        return case_id, received_at, "pending"
    async with parts.pool.acquire() as conn:
        await cases.mark_started(conn, case_id)
    return case_id, received_at, "started"


async def step(parts: Parts, caller: Caller, case_id: str, name: str, cmd: BaseModel) -> None:
    """Send step `name` (of `case_steps.STEPS`) to the case's workflow; its moment, when left
    out, is now."""
    found = STEPS[name]
    case = await case_file(parts, caller, case_id)
    moment = found.moment
    cmd = cmd.model_copy(update={moment: at_or_now(getattr(cmd, moment), moment)})
    if isinstance(cmd, FollowUpCmd) and cmd.partner is not None:
        region = parts.chain.region(case["region"])
        if region and cmd.partner not in {p.id for p in region.partners}:
            known = ", ".join(sorted(p.id for p in region.partners))
            raise unprocessable(
                f"onbekende partner {cmd.partner!r} in regio {region.slug}; bekend: {known}"
            )
    if isinstance(cmd, ConsentRefusedCmd):
        check(_consent, case, cmd)
    path = None
    if isinstance(cmd, FollowUpCmd) and cmd.start is not None:
        path = _referral(parts, caller, case, cmd)
        # the path starts as part of the decision, which carries the actor
        cmd = cmd.model_copy(update={"start": path.model_dump(mode="json", exclude={"actor"})})
    handle = parts.client.get_workflow_handle(case_workflow_id(case_id))
    await run_command(
        handle,
        found.update,
        command(cmd, caller.principal.actor()),
        closed_reason=CASE_CLOSED,
        update_id=caller.new_id("update"),
    )
    if path is not None:
        await procedures.projected(parts, case_id, path.path_id)


def _referral(parts: Parts, caller: Caller, case: dict, cmd: FollowUpCmd) -> StartPathCmd:
    """The path a referral starts, from the start data the decision carries."""
    kind = FOLLOW_UP_PATHS.get(cmd.decision)
    if kind is None:
        raise unprocessable(f"bij {FOLLOW_UP_NAMES[cmd.decision]} hoort geen traject (veld start)")
    start_in = procedures.procedure(parts, kind).start_in  # invalid: a ValidationError, a 400
    body = start_in.model_validate({**(cmd.start or {}), "at": cmd.decided_at})
    return procedures.start_cmd(parts, caller, case, kind, body)


def _consent(case: dict[str, Any], cmd: ConsentRefusedCmd) -> None:
    child = person(case, cmd.child_ref)
    if cmd.path == "help_with_consent_of_the_child":
        check_child_consent(birth_date(child), cmd.at.date())  # type: ignore[union-attr]


# --- reads: what the caller may see, every read logged ---


async def find(
    parts: Parts, caller: Caller, what: CaseFilter, *, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of the cases the caller may see that match, newest first; and how many match.
    A search by name is logged with the cases it found, never with the name (the log holds
    ids only). The name is searched as it is stored (`domain.names`), at least two letters."""
    if what.name is not None:
        try:
            what = replace(what, name=search_name(what.name))
        except ValueError as e:
            raise Refused(400, str(e)) from None
    async with parts.pool.acquire() as conn:
        rows, total = await cases.list_cases(conn, caller.scope, what, limit=limit, offset=offset)
    for r in rows:
        caller.audit.touches(r["case_id"])
    asked = [f"{k}={v}" for k, v in vars(what).items() if v not in (None, False) and k != "name"]
    if what.name is not None:
        asked.append("op naam")
    caller.audit.detail = f"zoekopdracht {', '.join(asked)}".strip()
    return [dict(r) for r in rows], total


async def assign(parts: Parts, caller: Caller, case_id: str, worker: str | None) -> None:
    """A coordinator puts a case with a Veilig Thuis worker of the region (None: nobody):
    anyone of the organisation's staff directory, or anyone of it who signed in before."""
    listed = {m.subject: m for m in _directory(parts, caller)}
    async with parts.pool.acquire() as conn:
        if not await cases.visible(conn, case_id, caller.scope):
            raise not_found("casus")
        if worker is not None:
            found = await staff.get(conn, worker)
            if worker in listed and (found is None or found["org"] == caller.principal.org):
                m = listed[worker]
                await staff.listed(conn, caller.principal.org, m.subject, m.role, m.name, m.email)
            elif found is None or found["org"] != caller.principal.org:
                raise unprocessable(
                    "alleen een medewerker van uw eigen Veilig Thuis kan de casus krijgen"
                )
        await cases.assign(conn, case_id, worker)
    caller.audit.touches(case_id)
    caller.audit.detail = f"toegewezen aan {worker}"


def _directory(parts: Parts, caller: Caller) -> list:
    """The caller's organisation's people as the chain configuration lists them."""
    org = parts.chain.organisation(caller.principal.org)
    return org.staff if org else []


async def colleagues(parts: Parts, caller: Caller) -> list[dict[str, Any]]:
    """Whom a case can go to: the people of the caller's organisation in its staff directory
    (chain configuration) and those who signed in, each once, by name; `signed_in` says
    whether the person ever signed in (a listed person who never did still gets the case)."""
    async with parts.pool.acquire() as conn:
        seen = {r["subject"]: dict(r) for r in await staff.of_org(conn, caller.principal.org)}
    people = {s: {**r, "signed_in": True} for s, r in seen.items()}
    for m in _directory(parts, caller):
        if m.subject not in people:
            people[m.subject] = {
                "subject": m.subject,
                "role": m.role,
                "name": m.name,
                "signed_in": False,
            }
    return sorted(people.values(), key=lambda p: (p["name"].lower(), p["subject"]))


async def signed_in(
    parts: Parts, principal: Principal, name: str, email: str | None = None
) -> None:
    async with parts.pool.acquire() as conn:
        await staff.seen(conn, principal, name, email)


async def detail(parts: Parts, caller: Caller, case_id: str) -> dict[str, Any]:
    """The whole case as the caller may see it: its file, deadlines, huisverboden, notices."""
    async with parts.pool.acquire() as conn:
        case = await cases.get_case(conn, case_id, caller.scope)
        if case is None:
            raise not_found("casus")
        caller.audit.touches(case_id, [p["ref"] for p in case["persons"]])
        case["timeline"] = await cases.with_child_reminders(conn, case_id, case["timeline"])
        bans = await huisverboden.list_huisverboden(
            conn, None, municipality=None, status=None, case_id=case_id
        )
        all_deadlines = await deadlines.for_case(conn, case_id)
        sent = [dict(n) for n in await notices.for_case(conn, case_id)]
        earlier = await _earlier_contacts(conn, parts, caller, case)
    return {
        **case,
        "earlier_contacts": earlier,
        "deadlines": all_deadlines,
        "open_deadlines": [d for d in all_deadlines if d["status"] == "open"],
        "huisverboden": [huisverbod.shown(caller, b) for b in bans],
        "notices": sent,
    }


async def _earlier_contacts(conn, parts: Parts, caller: Caller, case: dict) -> dict | None:
    """The radar's view of the case, for those with the right to know (None for others);
    each earlier case shown is logged as accessed."""
    if not caller.principal.may("case.earlier_contacts"):
        return None
    found = await radar.earlier_contacts(
        conn, parts.chain, "melding", case["case_id"], case["region"], case["opened_at"]
    )
    radar.logged(caller.audit, found)
    return {
        "count": len(found),
        "repeat_violence": case["repeat_violence"],
        "contacts": [e.model_dump() for e in found],
    }


async def deliveries(parts: Parts, caller: Caller, case_id: str) -> list[dict[str, Any]]:
    """Every notification of the case to every partner, with whether it was on time."""
    async with parts.pool.acquire() as conn:
        if not await cases.visible(conn, case_id, caller.scope):
            raise not_found("casus")
        rows = await notices.deliveries_for_case(conn, case_id)
    caller.audit.touches(case_id)
    return [
        {
            **dict(r),
            "on_time": None
            if r["due_at"] is None or r["sent_at"] is None
            else r["sent_at"] <= r["due_at"],
        }
        for r in rows
    ]


async def destroy(parts: Parts, caller: Caller, case_id: str, reason: str, case_keys) -> int:
    """Destroy a file: its workflows stop, its rows and data key go; returns how many
    workflows were stopped. The access log keeps the reason and ids only."""
    await case_file(parts, caller, case_id)
    caller.audit.detail = f"vernietigd: {reason}"
    async with parts.pool.acquire() as conn:
        stop = partial(terminate, parts.client, reason="case destroyed")
        return await destruction.destroy_case(conn, stop, case_keys, case_id)
