"""Error types that update validators raise; the API maps them to HTTP statuses."""

from temporalio.exceptions import ApplicationError

CONFLICT = "Conflict"  # the current state does not allow the command -> 409
INVALID = "Invalid"  # the command breaks a rule -> 422


def conflict(message: str) -> ApplicationError:
    return ApplicationError(message, type=CONFLICT, non_retryable=True)


def invalid(message: str) -> ApplicationError:
    return ApplicationError(message, type=INVALID, non_retryable=True)
