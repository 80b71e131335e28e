"""The log filter for OpenTelemetry's detach noise drops that case only; spans are recorded
only where they go somewhere."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

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


PROBE = """
import json, logging
from opentelemetry import propagate, trace
from infra import telemetry
from infra.settings import Settings
telemetry.setup(Settings(trace_console={console}), "probe")
record = logging.LogRecord("probe", logging.INFO, "", 1, "x", None, None)
with trace.get_tracer("probe").start_as_current_span("step") as span:
    recording = span.is_recording()
    line = json.loads(telemetry.JsonFormatter().format(record))
    carrier = {{}}
    propagate.inject(carrier)
print(json.dumps({{"recording": recording, "trace_id": line["trace_id"],
                  "traceparent": carrier.get("traceparent", "")}}))
"""


def traced(console: bool) -> dict:
    """One span in a process of its own (tracing is set up once per process)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(console=console)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_without_an_exporter_spans_are_not_recorded_but_logs_keep_their_trace():
    probe = traced(console=False)
    assert not probe["recording"]
    assert probe["trace_id"] and probe["trace_id"] != "0" * 32
    assert probe["trace_id"] in probe["traceparent"]  # passed on to Temporal and partners


def test_with_an_exporter_spans_are_recorded():
    assert traced(console=True)["recording"]
