"""One trace from the API through the workflow to each activity; metrics; JSON logs."""

from __future__ import annotations

import json
import logging

from opentelemetry.trace import SpanKind

from infra.telemetry import JsonFormatter
from tests.integration.conftest import eventually
from tests.integration.flows import impose, melding, open_case, request_huisverbod

DECISION_ROUTE = "/v1/huisverboden/{huisverbod_id}/decision"


async def test_a_decision_over_the_api_is_one_connected_trace(api, police, spans):
    case_id = await open_case(api)
    hv = await request_huisverbod(api, case_id)
    await impose(police, hv)

    def trace_of_decision():
        finished = spans.get_finished_spans()
        root = [
            s
            for s in finished
            if s.kind == SpanKind.SERVER and s.attributes.get("http.route") == DECISION_ROUTE
        ]
        if not root:
            return None
        same = [s for s in finished if s.context.trace_id == root[-1].context.trace_id]
        names = {s.name for s in same}
        ids = {s.context.span_id for s in same}
        orphans = [s for s in same if s is not root[-1] and s.parent.span_id not in ids]
        done = {"RunActivity:upsert_huisverbod", "HandleSignal:wake"} <= names
        return done and not orphans and (root[-1], same)

    async def probe():
        return trace_of_decision()

    root, trace = await eventually(probe)
    names = {s.name for s in trace}
    assert {
        "StartWorkflowUpdate:decide",
        "HandleUpdate:decide",
        "RunActivity:upsert_huisverbod",
        # the notices go to the outbox and the region's dispatcher is woken; its rounds, which
        # serve many cases at once, are traces of their own
        "RunActivity:enqueue",
        "SignalWithStartWorkflow:DispatchWorkflow",
        "HandleSignal:wake",
    } <= names, names
    assert any(s.attributes.get("db.system") == "postgresql" for s in trace)  # asyncpg
    # connected (the probe waited for it): every span's parent is in the same trace
    assert root.parent is None


async def test_spans_carry_ids_never_personal_data(api, spans):
    body = melding(
        persons=[
            {"ref": "p1", "role": "victim", "name": "Spanvrij Kanarie"},
            {"ref": "p2", "role": "pleger", "name": "Tracevrij Kanarie", "address": "Kanarieweg 9"},
        ],
        summary="Kanarie-samenvatting die nergens anders mag staan",
    )
    case_id = (await api.post("/v1/meldingen", json=body)).json()["case_id"]
    await eventually(
        lambda: _has(spans, lambda s: s.attributes.get("ketenregie.case_id") == case_id)
    )
    values = " ".join(
        str(v) for s in spans.get_finished_spans() for v in (s.attributes or {}).values()
    )
    assert [w for w in ("Kanarie", "Kanarieweg") if w in values] == []


async def _has(spans, predicate):
    return any(predicate(s) for s in spans.get_finished_spans())


async def test_metrics_count_cases_opened(api, as_):
    await open_case(api)
    text = (await api.get("/metrics")).text
    line = next(x for x in text.splitlines() if x.startswith("ketenregie_cases_opened_total{"))
    assert float(line.rsplit(" ", 1)[1]) >= 1


def test_log_lines_are_json_with_the_trace_id(spans):
    from opentelemetry import trace

    record = logging.LogRecord(
        "ketenregie.test", logging.INFO, __file__, 1, "hello %s", ("x",), None
    )
    with trace.get_tracer("test").start_as_current_span("s") as span:
        line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hello x"
    assert line["trace_id"] == format(span.get_span_context().trace_id, "032x")
