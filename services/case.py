"""The Veilig Thuis worker moves a case on: safety assessment, follow-up, investigation,
monitoring, closure, consent refused. A step the case's phase does not allow is a 409."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from domain.case import ConsentRefusedCmd, check_child_consent
from domain.models import FollowUpCmd
from domain.procedure import birth_date, person
from services.context import Caller, Parts, at_or_now
from services.errors import check, run_command, unprocessable
from services.procedures import case_file
from workflows.ids import case_workflow_id

CASE_CLOSED = "the case is closed (or its workflow has not started yet)"


async def step(
    parts: Parts, caller: Caller, case_id: str, update: Any, cmd: BaseModel, moment: str
) -> dict[str, Any]:
    """Send a step to the case's workflow; `moment` names the command's time field, filled
    with now when left out. Answers with the case file."""
    case = await case_file(parts, caller, case_id)
    cmd = cmd.model_copy(update={moment: at_or_now(getattr(cmd, moment), moment)})
    if isinstance(cmd, FollowUpCmd) and cmd.partner is not None:
        region = parts.settings.chain.region(case["region"])
        if region and cmd.partner not in {p.id for p in region.partners}:
            known = ", ".join(sorted(p.id for p in region.partners))
            raise unprocessable(
                f"unknown partner {cmd.partner!r} in region {region.slug}; known: {known}"
            )
    if isinstance(cmd, ConsentRefusedCmd):
        check(_consent, case, cmd)
    await run_command(
        parts.client.get_workflow_handle(case_workflow_id(case_id)).execute_update(update, cmd),
        closed_reason=CASE_CLOSED,
    )
    return case


def _consent(case: dict[str, Any], cmd: ConsentRefusedCmd) -> None:
    child = person(case, cmd.child_ref)
    if cmd.path == "help_with_consent_of_the_child":
        check_child_consent(birth_date(child), cmd.at.date())  # type: ignore[union-attr]
