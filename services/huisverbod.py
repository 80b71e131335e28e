"""Commands on a huisverbod: the mayor's decision and extension, appeal and the court's
ruling, the milestones of the ten days. Each goes to the huisverbod's own workflow."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from domain import huisverbod_order
from domain.access import (
    CAPACITY_NAMES,
    DECIDING_CAPACITY,
    denial,
    may_read_huisverbod_file,
    may_see_involved,
    org_name,
)
from domain.huisverbod import (
    FILE_FIELDS,
    MILESTONE_ACTIONS,
    SPEC,
    STATUS_NAMES,
    AppealCmd,
    AppealIn,
    DecisionCmd,
    DecisionIn,
    ExtensionCmd,
    ExtensionIn,
    HearingCmd,
    HearingIn,
    HuisverbodRequestCmd,
    HuisverbodRequestIn,
    HuisverbodSnapshot,
    MilestoneCmd,
    MilestoneIn,
    RulingCmd,
    RulingIn,
    ViolationCmd,
    ViolationIn,
    WithdrawalCmd,
    WithdrawalIn,
    huisverbod_workflow_id,
)
from domain.huisverbod_order import OrderKind, WrittenOrder
from domain.huisverbod_policy import check_huisverbod_subject, check_veilig_thuis_consulted
from domain.ids import case_workflow_id
from domain.procedure import birth_date, person
from domain.workdays import local_date
from domain.zgw import zaak_identificatie
from infra.client import signal_dispatcher
from services.context import Caller, Parts, at_or_now
from services.errors import Refused, check, conflict, forbidden, not_found, run_command
from services.procedures import CASE_NOT_RUNNING, case_file
from store import cases, huisverboden, zaaksysteem


async def load(parts: Parts, caller: Caller, huisverbod_id: str) -> dict[str, Any]:
    """The huisverbod as the caller may see it (404 outside their scope), with how it stands in
    the municipality's zaaksysteem; the read is logged."""
    return (await _filed(parts, [shown(caller, await _with_file(parts, caller, huisverbod_id))]))[0]


async def _filed(parts: Parts, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with their filing in the zaaksysteem (`zaaksysteem`, None where there is none)."""
    if not rows:
        return rows
    async with parts.pool.acquire() as conn:
        found = await zaaksysteem.filings(conn, sorted({r["case_id"] for r in rows}))
    return [{**r, "zaaksysteem": found.get(r["huisverbod_id"])} for r in rows]


async def refile(parts: Parts, caller: Caller, huisverbod_id: str) -> dict[str, Any]:
    """File the ban's failed events in the zaaksysteem again, once its configuration is
    fixed (the mayor's office); 409 when nothing failed."""
    await _with_file(parts, caller, huisverbod_id)  # 404 outside the caller's scope
    async with parts.pool.acquire() as conn:
        filed_again = await zaaksysteem.refile(conn, huisverbod_id)
    if not filed_again:
        raise conflict("er is niets mislukt om opnieuw in het zaaksysteem vast te leggen")
    await wake(parts, set(filed_again.values()))
    caller.audit.detail = "opnieuw vastleggen in het zaaksysteem"
    return await load(parts, caller, huisverbod_id)


async def wake(parts: Parts, regions: set[str]) -> None:
    """Wake the regions' dispatchers: the deliveries filed again are due now."""
    for region in sorted(regions):
        await signal_dispatcher(parts.client, parts.task_queue, region, parts.policy.delivery)


def shown(caller: Caller, row: dict[str, Any]) -> dict[str, Any]:
    """A huisverbod with its request's file for who may read that, without it for others;
    whoever reads the case file (the police who asked) keeps the name of the person to leave,
    which that file shows them anyway."""
    if may_read_huisverbod_file(caller.principal):
        return row
    kept = ("pleger_name",) if caller.principal.may("case.read") else ()
    return {k: v for k, v in row.items() if k not in FILE_FIELDS or k in kept}


async def _with_file(parts: Parts, caller: Caller, huisverbod_id: str) -> dict[str, Any]:
    async with parts.pool.acquire() as conn:
        return await _file_on(conn, caller, huisverbod_id)


async def _file_on(conn, caller: Caller, huisverbod_id: str) -> dict[str, Any]:
    """The ban with its file, read on `conn`; 404 outside the caller's scope."""
    found = await huisverboden.get_huisverbod(conn, huisverbod_id, caller.scope)
    if found is None:
        raise not_found("huisverbod")
    caller.audit.touches(found["case_id"], [found["pleger_ref"]])
    return found


async def written_order(
    parts: Parts, caller: Caller, huisverbod_id: str, kind: OrderKind
) -> WrittenOrder:
    """The written order of the imposition, the refusal, the last extension or the withdrawal, for the
    mayor's office of the municipality, Veilig Thuis of the region and the police who hand it
    over (the caller's action and scope say so); each download is in the access log. Its
    kenmerk is the zaak's identificatie, known before filing: the zaaksysteem files these
    same bytes."""
    caller.audit.detail = f"written order {kind}"
    current = await _with_file(parts, caller, huisverbod_id)
    letterhead = parts.chain.letterhead(current["municipality"])
    if letterhead is None:
        raise not_found("gemeente")
    try:
        return huisverbod_order.written_order(
            kind,
            HuisverbodSnapshot(**current),
            current,
            letterhead,
            parts.policy.huisverbod,
            zaak_identificatie(huisverbod_id, current["number"]),
        )
    except huisverbod_order.NoOrder as e:
        raise Refused(404, str(e)) from None


async def _command(
    parts: Parts, caller: Caller, huisverbod_id: str, update: str, cmd, current: dict | None = None
) -> dict:
    """Send `cmd`; `current` is the ban's row when the caller read it already (one read
    less before the update)."""
    current = current or await _with_file(parts, caller, huisverbod_id)
    handle = parts.client.get_workflow_handle(
        huisverbod_workflow_id(current["case_id"], huisverbod_id)
    )
    state = await run_command(
        handle,
        update,
        cmd,
        closed_reason=f"het huisverbod is {STATUS_NAMES[current['status']]}; er kan niets meer aan veranderen",
        update_id=caller.new_id("update"),
        result_type=HuisverbodSnapshot,
    )
    # the workflow's answer, not a read back: the read model may lag (or, restored from a
    # backup, run ahead); the file (address, requester) never changes after the request
    file = {"address": current["address"], "requested_by": current["requested_by"]}
    return {**state.model_dump(), **file}


def _own_capacity(caller: Caller, capacity: str) -> None:
    """A mayor's office decides as the mayor, the police as hulpofficier; nobody in another's name."""
    p = caller.principal
    own = DECIDING_CAPACITY.get(p.org_kind)
    if capacity != own:
        raise forbidden(
            f"{org_name(p.org_kind)} beslist als {CAPACITY_NAMES.get(own, own)}, "
            f"niet als {CAPACITY_NAMES.get(capacity, capacity)}"
        )


async def decide(parts: Parts, caller: Caller, huisverbod_id: str, body: DecisionIn) -> dict:
    """The mayor (or a hulpofficier under mandate, Wth art. 3) imposes or refuses; the
    subject must still be an adult on the (Amsterdam) day of imposition (Wth art. 2 lid 2)."""
    _own_capacity(caller, body.decided_by.capacity)
    cmd = DecisionCmd(
        **body.model_dump(exclude={"decided_at"}),
        decided_at=at_or_now(body.decided_at, "decided_at"),
        actor=caller.principal.actor(),
    )
    current = None
    if cmd.decision == "impose":
        async with parts.pool.acquire() as conn:  # one connection for both reads
            current = await _file_on(conn, caller, huisverbod_id)
            case = await cases.get_case(conn, current["case_id"])
        check(_subject, case, current["pleger_ref"], local_date(cmd.decided_at))
        children = bool(current.get("children_at_address")) or any(
            p["role"] == "child" for p in case["persons"]
        )  # Veilig Thuis consulted before the police's request counts as well
        consulted = bool(cmd.veilig_thuis_consulted or current.get("veilig_thuis_consulted"))
        check(check_veilig_thuis_consulted, children, consulted)
        if consulted:
            cmd.veilig_thuis_consulted = True
    return await _command(parts, caller, huisverbod_id, "decide", cmd, current)


async def extend(parts: Parts, caller: Caller, huisverbod_id: str, body: ExtensionIn) -> dict:
    """The mayor extends a running ban, at most to four weeks after imposition (Wth art. 9)."""
    cmd = ExtensionCmd(
        **body.model_dump(exclude={"decided_at"}),
        decided_at=at_or_now(body.decided_at, "decided_at"),
        actor=caller.principal.actor(),
    )
    return await _command(parts, caller, huisverbod_id, "extend", cmd)


async def appeal(parts: Parts, caller: Caller, huisverbod_id: str, body: AppealIn) -> dict:
    cmd = AppealCmd(
        lodged_at=at_or_now(body.lodged_at, "lodged_at"),
        interim_relief_requested=body.interim_relief_requested,
        against=body.against,
        actor=caller.principal.actor(),
    )
    return await _command(parts, caller, huisverbod_id, "appeal", cmd)


async def rule(parts: Parts, caller: Caller, huisverbod_id: str, body: RulingIn) -> dict:
    cmd = RulingCmd(
        outcome=body.outcome,
        ruled_at=at_or_now(body.ruled_at, "ruled_at"),
        actor=caller.principal.actor(),
    )
    return await _command(parts, caller, huisverbod_id, "rule", cmd)


async def hearing(parts: Parts, caller: Caller, huisverbod_id: str, body: HearingIn) -> dict:
    """The court heard the request for interim relief (Wth art. 6: within three days)."""
    cmd = HearingCmd(at=at_or_now(body.at), actor=caller.principal.actor())
    return await _command(parts, caller, huisverbod_id, "record_hearing", cmd)


async def withdraw(parts: Parts, caller: Caller, huisverbod_id: str, body: WithdrawalIn) -> dict:
    """The mayor withdraws the ban; it ends at once (not under mandate, Wth art. 3 lid 1)."""
    _own_capacity(caller, body.decided_by.capacity)
    cmd = WithdrawalCmd(
        reason=body.reason,
        decided_by=body.decided_by,
        at=at_or_now(body.at),
        actor=caller.principal.actor(),
    )
    return await _command(parts, caller, huisverbod_id, "withdraw", cmd)


async def violation(parts: Parts, caller: Caller, huisverbod_id: str, body: ViolationIn) -> dict:
    """The police record a violation of the ban (Wth art. 11); the mayor's office, Veilig
    Thuis and the Openbaar Ministerie are told."""
    cmd = ViolationCmd(at=at_or_now(body.at), actor=caller.principal.actor())
    return await _command(parts, caller, huisverbod_id, "record_violation", cmd)


async def milestone(parts: Parts, caller: Caller, huisverbod_id: str, body: MilestoneIn) -> dict:
    """Contact address given (Wth art. 2 lid 6), help started, written order issued: each by
    the organisation that does it (`MILESTONE_ACTIONS`)."""
    action = MILESTONE_ACTIONS[body.milestone]
    p = caller.principal
    caller.audit.action = action
    if not p.may(action):
        raise forbidden(denial(p.org_kind, p.role, action))
    cmd = MilestoneCmd(milestone=body.milestone, at=at_or_now(body.at, "at"), actor=p.actor())
    return await _command(parts, caller, huisverbod_id, "record_milestone", cmd)


async def request(parts: Parts, caller: Caller, case_id: str, req: HuisverbodRequestIn) -> str:
    """The police (or Veilig Thuis) request a tijdelijk huisverbod for a pleger of the case;
    the subject must be an adult pleger. Answers the new huisverbod's id."""
    case = await case_file(parts, caller, case_id)
    requested_at = datetime.now(UTC)
    check(_subject, case, req.pleger_ref, local_date(requested_at))
    huisverbod_id = caller.new_id("huisverbod")
    caller.audit.huisverbod_id = huisverbod_id
    async with parts.pool.acquire() as conn:
        await huisverboden.insert_request(conn, huisverbod_id, case, req)
    cmd = HuisverbodRequestCmd(
        huisverbod_id=huisverbod_id,
        pleger_ref=req.pleger_ref,
        requested_at=requested_at,
        incident_at=req.incident_at,
        actor=caller.principal.actor(),
    )
    try:
        await run_command(
            parts.client.get_workflow_handle(case_workflow_id(case_id)),
            SPEC.start_update,
            cmd,
            closed_reason=CASE_NOT_RUNNING,
        )
    except Refused as refused:  # the case said no: its file goes (an unreachable part: a
        if refused.status_code in (409, 422):  # retry with the same key reuses it)
            async with parts.pool.acquire() as conn:
                await huisverboden.delete_request(conn, huisverbod_id)
        raise
    await run_command(  # answer once the huisverbod is in the read model, by its own workflow
        parts.client.get_workflow_handle(huisverbod_workflow_id(case_id, huisverbod_id)),
        "projected",
        closed_reason=CASE_NOT_RUNNING,
    )
    async with parts.pool.acquire() as conn:
        await cases.mark_police_involved(conn, case_id)
    return huisverbod_id


INVOLVED_ROLES = ("victim", "child")


async def involved(
    parts: Parts, caller: Caller, rows: list[dict[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Per huisverbod, the victims and children of its case (name, role, birth date) for
    whoever decides on it (`may_see_involved`); nothing for others. Each read is logged."""
    if not rows or not may_see_involved(caller.principal):
        return {}
    found: dict[str, list[dict[str, Any]]] = {}
    async with parts.pool.acquire() as conn:
        for r in rows:
            case = await cases.get_case(conn, r["case_id"])
            people = [
                {"ref": p["ref"], "role": p["role"], "name": p["name"], "born": birth_date(p)}
                for p in (case or {}).get("persons", [])
                if p["role"] in INVOLVED_ROLES
            ]
            caller.audit.touches(r["case_id"], [p["ref"] for p in people])
            found[r["huisverbod_id"]] = people
    return found


def _subject(case: dict[str, Any], ref: str, on: date) -> None:
    subject = person(case, ref)
    check_huisverbod_subject(subject["role"], birth_date(subject), on)


async def inbox(
    parts: Parts,
    caller: Caller,
    *,
    municipality: str | None = None,
    status: str | list[str] | None = None,
    limit: int = 100,
    offset: int = 0,
    newest_first: bool = False,
) -> list[dict]:
    """Oldest request first: the order in which the mayor's office works its inbox (the ended
    ones `newest_first`: what just ended is what is looked for)."""
    async with parts.pool.acquire() as conn:
        rows = await huisverboden.list_huisverboden(
            conn,
            caller.scope,
            municipality=municipality,
            status=status,
            limit=limit,
            offset=offset,
            newest_first=newest_first,
        )
    for r in rows:
        caller.audit.touches(r["case_id"], [r["pleger_ref"]])
    caller.audit.detail = f"zoekopdracht gemeente={municipality} status={status}"
    return await _filed(parts, [shown(caller, r) for r in rows])
