"""Stand-ins for what a service is given (`services.context.Parts`): a pool whose connection
only the faked store functions see, and a Temporal client whose workflows answer updates
from a script."""

from __future__ import annotations

from domain.access import Principal
from services.context import AuditEntry, Caller, Parts


class FakePool:
    def acquire(self):
        return self

    async def __aenter__(self):
        return object()

    async def __aexit__(self, *exc):
        return False


class FakeHandle:
    def __init__(self, client: FakeClient, workflow_id: str) -> None:
        self.client, self.id = client, workflow_id

    async def execute_update(self, update, *args, id=None, rpc_timeout=None, result_type=None):
        self.client.updates.append((self.id, update))
        self.client.update_ids.append(id)
        script = self.client.answers.get(self.id)
        if script and isinstance(outcome := script.pop(0), Exception):
            raise outcome


class FakeClient:
    """Each workflow answers its updates in turn from `answers[workflow id]` (an exception is
    raised); past its script, or without one, an update succeeds."""

    def __init__(self, answers: dict[str, list] | None = None) -> None:
        self.answers = answers or {}
        self.updates: list[tuple[str, str]] = []
        self.update_ids: list[str | None] = []

    def get_workflow_handle(self, workflow_id: str) -> FakeHandle:
        return FakeHandle(self, workflow_id)


def parts(client: FakeClient) -> Parts:
    return Parts(FakePool(), client, None, None, "tq", None, 10)  # type: ignore[arg-type]


def caller(org_kind: str, role: str, key: str | None = "key-1", **where) -> Caller:
    principal = Principal(subject="u1", org=f"{org_kind}-1", org_kind=org_kind, role=role, **where)
    return Caller(principal, AuditEntry({}, seed=key))
