"""A step on a case, with a fake Temporal client and a fake store: the workflow's refusal is
the service's, an unreachable server a 503 after which the same step goes again."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.case import CloseCmd
from domain.ids import case_workflow_id
from domain.refusals import CONFLICT, INVALID
from services import case
from services.errors import Refused
from store import cases
from tests.services.fakes import FakeClient, caller, parts

CASE = {"case_id": "c1", "region": "haaglanden", "persons": [{"ref": "p1", "role": "victim"}]}
WORKFLOW = case_workflow_id("c1")
CLOSE = CloseCmd(reason="no_concerns")


@pytest.fixture(autouse=True)
def store(monkeypatch):
    async def get_case(conn, case_id, scope=None):
        return CASE if case_id == "c1" else None

    monkeypatch.setattr(cases, "get_case", get_case)


def coordinator():
    return caller("veilig_thuis", "coordinator", region="haaglanden")


async def close(client: FakeClient):
    return await case.step(parts(client), coordinator(), "c1", "close", CLOSE)


@pytest.mark.parametrize(("kind", "status"), [(CONFLICT, 409), (INVALID, 422)])
async def test_the_workflows_refusal_is_the_services_refusal_with_its_reason(kind, status):
    refusal = WorkflowUpdateFailedError(ApplicationError("in triage sluit je niet", type=kind))
    with pytest.raises(Refused) as e:
        await close(FakeClient({WORKFLOW: [refusal]}))
    assert (e.value.status_code, e.value.detail) == (status, "in triage sluit je niet")


async def test_an_unreachable_server_is_503_and_the_same_step_goes_again():
    client = FakeClient({WORKFLOW: [RPCError("down", RPCStatusCode.UNAVAILABLE, b"")]})
    with pytest.raises(Refused) as e:
        await close(client)
    assert e.value.status_code == 503
    await close(client)
    assert client.updates == [(WORKFLOW, "close")] * 2


async def test_a_step_outside_the_callers_cases_is_not_found():
    with pytest.raises(Refused) as e:
        await case.step(parts(FakeClient()), coordinator(), "c2", "close", CLOSE)
    assert e.value.status_code == 404


async def test_a_step_sent_again_with_its_key_is_the_same_update_for_the_workflow():
    """The workflow keeps an update's outcome by its id: a retry after a lost answer is
    answered as the first, not done twice."""
    client = FakeClient()
    await close(client)
    await close(client)
    without_key = caller("veilig_thuis", "coordinator", key=None, region="haaglanden")
    await case.step(parts(client), without_key, "c1", "close", CLOSE)
    first, again, other = client.update_ids
    assert first == again and other not in (None, first)
