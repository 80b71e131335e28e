"""The police's request for a huisverbod, with a fake Temporal client and a fake store: what
the case workflow refuses leaves no file behind; what may have landed keeps it."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.huisverbod import HuisverbodRequestIn
from domain.ids import case_workflow_id
from domain.refusals import CONFLICT, INVALID
from services import huisverbod
from services.context import Caller
from services.errors import Refused
from store import cases, huisverboden
from tests.services.fakes import FakeClient, caller, parts

CASE = {"case_id": "c1", "persons": [{"ref": "p2", "role": "pleger"}]}
CASE_WORKFLOW = case_workflow_id("c1")
REQUEST = HuisverbodRequestIn.model_construct(pleger_ref="p2", incident_at=None)


class FakeStore:
    """The request files by huisverbod id, as `store.huisverboden` keeps them."""

    def __init__(self, monkeypatch) -> None:
        self.files: dict[str, str] = {}

        async def get_case(conn, case_id, scope=None):
            return CASE if case_id == CASE["case_id"] else None

        async def insert_request(conn, huisverbod_id, case, req):
            self.files.setdefault(huisverbod_id, case["case_id"])

        async def delete_request(conn, huisverbod_id):
            self.files.pop(huisverbod_id, None)

        async def mark_police_involved(conn, case_id):
            pass

        monkeypatch.setattr(cases, "get_case", get_case)
        monkeypatch.setattr(cases, "mark_police_involved", mark_police_involved)
        monkeypatch.setattr(huisverboden, "insert_request", insert_request)
        monkeypatch.setattr(huisverboden, "delete_request", delete_request)


def police(key: str | None = "key-1") -> Caller:
    return caller("police", "hulpofficier", key)


def refused_by_the_case(kind: str) -> WorkflowUpdateFailedError:
    return WorkflowUpdateFailedError(ApplicationError("er loopt al een huisverbod", type=kind))


@pytest.mark.parametrize(("kind", "status"), [(CONFLICT, 409), (INVALID, 422)])
async def test_a_refusal_by_the_case_is_the_services_refusal_and_its_file_goes(
    monkeypatch, kind, status
):
    store = FakeStore(monkeypatch)
    with pytest.raises(Refused) as e:
        await huisverbod.request(
            parts(FakeClient({CASE_WORKFLOW: [refused_by_the_case(kind)]})), police(), "c1", REQUEST
        )
    assert (e.value.status_code, e.value.detail) == (status, "er loopt al een huisverbod")
    assert store.files == {}


@pytest.mark.parametrize("status", [RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED])
async def test_an_unknown_outcome_is_503_and_keeps_the_file_the_workflow_may_have_taken(
    monkeypatch, status
):
    store = FakeStore(monkeypatch)
    down = RPCError("down", status, b"")
    with pytest.raises(Refused) as e:
        await huisverbod.request(
            parts(FakeClient({CASE_WORKFLOW: [down]})), police(), "c1", REQUEST
        )
    assert e.value.status_code == 503
    assert list(store.files.values()) == ["c1"]


async def test_a_retry_with_the_same_key_answers_the_same_huisverbod(monkeypatch):
    store = FakeStore(monkeypatch)
    client = FakeClient({CASE_WORKFLOW: [RPCError("down", RPCStatusCode.UNAVAILABLE, b"")]})
    with pytest.raises(Refused):
        await huisverbod.request(parts(client), police(), "c1", REQUEST)
    first = next(iter(store.files))
    again = await huisverbod.request(parts(client), police(), "c1", REQUEST)
    assert again == first and list(store.files) == [first]
    assert await huisverbod.request(parts(client), police(), "c1", REQUEST) == first
    other = await huisverbod.request(parts(client), police("key-2"), "c1", REQUEST)
    assert other != first
