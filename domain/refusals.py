"""The kinds of refusal a workflow's validator gives (the type of its `ApplicationError`),
by name: the workflows raise them, the services map them to HTTP statuses without
importing a workflow."""

CONFLICT = "Conflict"  # the current state does not allow the command -> 409
INVALID = "Invalid"  # the command breaks a rule -> 422
FORBIDDEN = "Forbidden"  # the command's actor may not do this -> 403
