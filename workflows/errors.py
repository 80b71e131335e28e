"""Error types that update validators raise; the API maps them to HTTP statuses."""

from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from domain.models import CLOCK_SKEW

CONFLICT = "Conflict"  # the current state does not allow the command -> 409
INVALID = "Invalid"  # the command breaks a rule -> 422


def conflict(message: str, dutch: str | None = None) -> ApplicationError:
    """`dutch`, when given, travels as the error's detail: what a page shows a person."""
    return ApplicationError(message, *_said(dutch), type=CONFLICT, non_retryable=True)


def invalid(message: str, dutch: str | None = None) -> ApplicationError:
    return ApplicationError(message, *_said(dutch), type=INVALID, non_retryable=True)


def _said(dutch: str | None) -> tuple[str, ...]:
    return (dutch,) if dutch else ()


def check_time(at: datetime | None, earliest: datetime | None = None, since: str = "") -> datetime:
    """The time of a step: given, not in the future, not before `earliest` (`since` says what)."""
    if at is None:
        raise invalid("the time of the step is missing")
    if at > workflow.now() + CLOCK_SKEW:
        raise invalid(f"{at.isoformat()} lies in the future")
    if earliest is not None and at < earliest:
        raise invalid(f"{at.isoformat()} lies before {since}")
    return at
