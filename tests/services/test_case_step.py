"""A step on a case, with a fake Temporal client and a fake store: the workflow's refusal is
the service's, an unreachable server a 503 after which the same step goes again."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain.case import CloseCmd
from domain.ids import case_workflow_id
from services import case
from services.errors import Refused
from store import cases
from tests.services.fakes import FakeClient, caller, parts
from workflows.case import CaseWorkflow
from workflows.errors import CONFLICT, INVALID

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
    return await case.step(
        parts(client), coordinator(), "c1", CaseWorkflow.close, CLOSE, "closed_at"
    )


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
    assert await close(client) == CASE == await close(client)
    assert client.updates == [(WORKFLOW, "close")] * 3


async def test_a_step_outside_the_callers_cases_is_not_found():
    with pytest.raises(Refused) as e:
        await case.step(
            parts(FakeClient()), coordinator(), "c2", CaseWorkflow.close, CLOSE, "closed_at"
        )
    assert e.value.status_code == 404
