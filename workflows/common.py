"""Activity options shared by every workflow: explicit timeouts, retried until they succeed."""

from datetime import timedelta

from temporalio.common import RetryPolicy

# The read model must converge: retry with backoff for as long as it takes, never drop.
READ_MODEL = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(minutes=1),
        non_retryable_error_types=["ValidationError"],
    ),
}
