"""Activity options shared by the workflows."""

from datetime import timedelta

from temporalio.common import RetryPolicy

# Retried with backoff for as long as it takes: a projection or an outbox row is never dropped.
DURABLE = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(minutes=1),
        non_retryable_error_types=["ValidationError"],
    ),
}

COORDINATOR = "regional_coordinator"

# A local activity: harmless to repeat (a versioned upsert, an outbox row under its key), so it
# runs inside the workflow task and costs no activity task; retried as long as it takes.
LOCAL = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": DURABLE["retry_policy"],
}
