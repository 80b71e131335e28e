"""Every side effect of the workflows, as idempotent activities."""
