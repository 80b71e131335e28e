"""HTTP errors with a reason, and the mapping of workflow outcomes onto them."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from fastapi import HTTPException
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from workflows.errors import CONFLICT, INVALID

T = TypeVar("T")


def not_found(what: str) -> HTTPException:
    return HTTPException(404, f"{what} not found")


def unprocessable(reason: str) -> HTTPException:
    return HTTPException(422, reason)


def unavailable(
    reason: str = "the orchestration service (Temporal) is unreachable; try again",
) -> HTTPException:
    return HTTPException(503, reason)


async def run_command(call: Awaitable[T], *, closed_reason: str) -> T:
    """Await a workflow update; a rejected command becomes 409/422, an unreachable server 503."""
    try:
        return await call
    except WorkflowUpdateFailedError as e:
        cause = e.cause
        if isinstance(cause, ApplicationError) and cause.type in (CONFLICT, INVALID):
            raise HTTPException(409 if cause.type == CONFLICT else 422, cause.message) from None
        raise
    except RPCError as e:
        if e.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise HTTPException(409, closed_reason) from None
        if e.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
            raise unavailable() from None
        raise
