"""The log filter for OpenTelemetry's detach noise drops that case only."""

from __future__ import annotations

import logging

from infra.telemetry import discarded_workflow_context


def record(error: BaseException) -> logging.LogRecord:
    info = (type(error), error, None)
    return logging.LogRecord(
        "opentelemetry.context", logging.ERROR, __file__, 1, "Failed to detach context", None, info
    )


def detach_failure(during: BaseException | None) -> ValueError:
    error = ValueError("<Token var=...> was created in a different Context")
    error.__context__ = during
    return error


def test_a_discarded_workflow_coroutine_is_not_reported():
    assert not discarded_workflow_context(record(detach_failure(GeneratorExit())))


def test_any_other_detach_failure_is_still_logged():
    assert discarded_workflow_context(record(detach_failure(None)))
    assert discarded_workflow_context(record(detach_failure(RuntimeError("x"))))
    assert discarded_workflow_context(record(ValueError("something else")))
