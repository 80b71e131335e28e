"""Refusals with a reason, and the mapping of workflow outcomes onto them. The API answers a
refusal with its status and reason; a page shows the reason beside the form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg
from temporalio.client import (
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.policy import RuleViolation
from domain.refusals import CONFLICT, FORBIDDEN, INVALID

RETRY_AFTER = 5  # seconds a client waits before it tries again while a part is down
# how long a command waits for its workflow's answer: with no worker taking the task it would
# wait as long as the caller does
COMMAND_TIMEOUT = timedelta(seconds=30)


# a workflow's refusal (its ApplicationError's type) -> the HTTP status
REFUSALS = {FORBIDDEN: 403, CONFLICT: 409, INVALID: 422}


class Refused(Exception):
    """A command or read that cannot be done; `status_code` is its HTTP status, `detail` the
    reason (in Dutch: the API and the pages say the same)."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code, self.detail = status_code, detail


def not_found(what: str) -> Refused:
    return Refused(404, f"{what} niet gevonden")


def forbidden(reason: str) -> Refused:
    return Refused(403, reason)


def conflict(reason: str) -> Refused:
    return Refused(409, reason)


def unprocessable(reason: str) -> Refused:
    return Refused(422, reason)


def unavailable(
    reason: str = "de orkestratiedienst (Temporal) is niet bereikbaar; probeer het opnieuw",
) -> Refused:
    return Refused(503, reason)


def check(rule, *args) -> None:
    """Apply a pure rule; its violation is a 422 with the rule's reason (and article)."""
    try:
        rule(*args)
    except RuleViolation as e:
        raise unprocessable(str(e)) from None


async def run_command(
    handle: WorkflowHandle,
    update: str,
    *args: Any,
    closed_reason: str,
    update_id: str | None = None,
    result_type: type | None = None,
) -> Any:
    """Send update `update` to the workflow of `handle`; a rejected command becomes 409/422,
    an unreachable server 503. A workflow that takes no update is 409 `closed_reason` only
    when it ended: one not started yet (a case registered while Temporal was down, a child
    about to start) or an update lost when the server restarted is 503, to try again.
    `update_id` (from the request's idempotency key) makes a retry of a command that did
    land answer as the first did: the workflow keeps each update's outcome by its id. The
    update goes by its name (the API does not load the workflows); its answer is read as
    `result_type`."""
    try:
        return await handle.execute_update(
            update, *args, id=update_id, rpc_timeout=COMMAND_TIMEOUT, result_type=result_type
        )
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise unavailable(
            f"de opdracht kreeg binnen {COMMAND_TIMEOUT.seconds} seconden geen antwoord; zij kan "
            "alsnog worden uitgevoerd: probeer het opnieuw met dezelfde Idempotency-Key"
        ) from None
    except WorkflowUpdateFailedError as e:
        cause = e.cause
        if isinstance(cause, ApplicationError) and cause.type in REFUSALS:
            raise Refused(REFUSALS[cause.type], cause.message) from None
        raise
    except RPCError as e:
        if e.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise await _not_taken(handle, closed_reason) from None
        if e.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            raise unavailable() from None
        raise


async def _not_taken(handle: WorkflowHandle, closed_reason: str) -> Refused:
    try:
        described = await handle.describe()
    except RPCError:
        return unavailable("de orkestratie wordt nog gestart; probeer het zo opnieuw")
    if described.status == WorkflowExecutionStatus.RUNNING:
        return unavailable()
    return conflict(closed_reason)


# Postgres unreachable: no new connection (store.db's DatabaseUnreachable is a
# ConnectionError), shutting down (operator intervention), or a connection lost mid-call
DATABASE_DOWN = (
    ConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.OperatorInterventionError,
)
