"""Error types that update validators raise; the API maps them to HTTP statuses."""

from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from domain.access import Action, Actor, NotPermitted, check_actor
from domain.models import CLOCK_SKEW
from domain.refusals import CONFLICT, FORBIDDEN, INVALID
from domain.workdays import dutch_time


def conflict(message: str) -> ApplicationError:
    return ApplicationError(message, type=CONFLICT, non_retryable=True)


def invalid(message: str) -> ApplicationError:
    return ApplicationError(message, type=INVALID, non_retryable=True)


def permitted(actor: Actor | None, action: Action) -> None:
    """A validator's first check: the command's actor holds `action` (the route is not the
    only door to a workflow)."""
    try:
        check_actor(actor, action)
    except NotPermitted as e:
        raise ApplicationError(str(e), type=FORBIDDEN, non_retryable=True) from None


def check_time(at: datetime | None, earliest: datetime | None = None, since: str = "") -> datetime:
    """The time of a step: given, not in the future, not before `earliest` (`since` ends the
    sentence "before the moment at which ...")."""
    if at is None:
        raise invalid("het tijdstip van de stap ontbreekt")
    if at > workflow.now() + CLOCK_SKEW:
        raise invalid(f"{dutch_time(at)} ligt in de toekomst")
    if earliest is not None and at < earliest:
        raise invalid(f"{dutch_time(at)} ligt vóór het moment waarop {since}")
    return at
