"""Traces, metrics and logs for every process (opentelemetry-sdk).

Traces: FastAPI and asyncpg instrumentation plus Temporal's OpenTelemetryPlugin on client and
worker make one trace from an API request through the workflow to each activity and the
outgoing notification. Span attributes carry ids (case, workflow, route), never personal
data. Exported over OTLP when an endpoint is configured, to the console or nowhere. With
nowhere to export to, spans are not recorded, only their ids made and passed on (the log lines
of one request still share a trace id across processes), and asyncpg is not instrumented:
recording spans nobody reads was about a sixth of the worker's busy time in the 09:00 storm.
Metrics: the app's own through the OpenTelemetry meter (API: `/metrics`); Temporal's SDK
metrics and the workflows' and activities' own through the worker's Prometheus endpoint.
Logs: one JSON object per line, with the trace and span id of the moment.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from opentelemetry import metrics, trace
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, sampling
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from temporalio.contrib.opentelemetry import create_tracer_provider

from infra.settings import Settings

_configured = False


def setup(settings: Settings, service: str, exporter: SpanExporter | None = None) -> None:
    """Configure tracing, metrics and logging for this process, once."""
    global _configured
    if _configured:
        return
    _configured = True
    resource = Resource.create({"service.name": f"ketenregie-{service}"})
    processor = span_processor(settings, exporter)
    # replay-safe: a workflow replaying on another worker does not emit its spans again
    provider = create_tracer_provider(
        resource=resource, sampler=None if processor else sampling.ALWAYS_OFF
    )
    if processor:
        provider.add_span_processor(processor)
        AsyncPGInstrumentor().instrument()
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(
        MeterProvider(resource=resource, metric_readers=[PrometheusMetricReader()])
    )
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    logging.getLogger("opentelemetry.context").addFilter(discarded_workflow_context)
    logging.getLogger("uvicorn.access").addFilter(path_only)


def span_processor(settings: Settings, exporter: SpanExporter | None) -> SpanProcessor | None:
    """Where spans go: the given exporter (tests: every span at once, in memory), OTLP,
    the console, or nowhere (None)."""
    if exporter is not None:
        return SimpleSpanProcessor(exporter)
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{settings.otlp_endpoint}/v1/traces"))
    if settings.trace_console:
        return BatchSpanProcessor(ConsoleSpanExporter(out=sys.stderr))
    return None


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the moment of the record, not the stream of the
    moment it was made (a test runner swaps and closes its captured streams)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def discarded_workflow_context(record: logging.LogRecord) -> bool:
    """Drop OpenTelemetry's "Failed to detach context" when a workflow's coroutine is closed
    without being resumed (GeneratorExit: evicted from the worker's cache and collected, or
    left over at process exit). Its span is ended all the same; the context that cannot be
    reset belonged to that coroutine and goes with it, so nothing leaks or is lost. The
    Temporal plugin's own spans detach safely; this one comes from `opentelemetry.trace.
    use_span` under the plugin's tracer provider. Any other detach failure is still logged."""
    error = record.exc_info[1] if record.exc_info else None
    return not (
        record.getMessage() == "Failed to detach context"
        and isinstance(error, ValueError)
        and "different Context" in str(error)
        and isinstance(error.__context__, GeneratorExit)
    )


def path_only(record: logging.LogRecord) -> bool:
    """uvicorn's access-log line with the path only, never the query string: a query may
    carry what a person typed (a name searched for), and the log keeps no personal data.
    The line keeps the rest: client, method, path, HTTP version, status."""
    if isinstance(record.args, tuple) and len(record.args) == 5:
        client, method, path, version, status = record.args
        record.args = (client, method, str(path).partition("?")[0], version, status)
    return True


QUERY_ATTRIBUTES = ("http.url", "url.full", "http.target")


def span_without_query(span, scope: dict) -> None:
    """The server span of a request (FastAPIInstrumentor's hook) with its URL and target
    cut at the query string, for the same reason as `path_only`."""
    attributes = getattr(span, "attributes", None) or {}
    if not scope.get("query_string") or not span.is_recording():
        return
    for key in QUERY_ATTRIBUTES:
        if isinstance(value := attributes.get(key), str):
            span.set_attribute(key, value.partition("?")[0])
    if "url.query" in attributes:
        span.set_attribute("url.query", "")


class JsonFormatter(logging.Formatter):
    """One JSON object per line with the current trace and span id."""

    def format(self, record: logging.LogRecord) -> str:
        ctx = trace.get_current_span().get_span_context()
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "trace_id": format(ctx.trace_id, "032x") if ctx.is_valid else None,
            "span_id": format(ctx.span_id, "016x") if ctx.is_valid else None,
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


meter = metrics.get_meter("ketenregie")
CASES_OPENED = meter.create_counter("ketenregie_cases_opened", description="meldingen accepted")
