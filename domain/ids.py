"""Workflow ids: references only, never personal data; the case id can be read back."""

import hashlib


def case_workflow_id(case_id: str) -> str:
    return f"case-{case_id}"


def path_workflow_id(case_id: str, path_id: str) -> str:
    return f"path-{case_id}-{path_id}"


def notice_workflow_id(case_id: str, notice_key: str) -> str:
    return f"notice-{case_id}-{hashlib.sha256(notice_key.encode()).hexdigest()[:24]}"


def case_of_workflow(workflow_id: str, children: tuple[str, ...]) -> str | None:
    """The case a workflow belongs to, read from its id (ids are references, never personal
    data); `children` are the prefixes of the ids of a case's children
    (`domain.catalogue.Catalogue.case_scoped`)."""
    kind, _, rest = workflow_id.partition("-")
    if kind == "case" and rest:
        return rest
    if kind in children and "-" in rest:
        return rest.split("-", 1)[0]
    return None


def advice_workflow_id(advice_id: str) -> str:
    """An advice question's workflow: no case of its own, so its payloads use the master key."""
    return f"advice-{advice_id}"


DISPATCH_QUEUE_SUFFIX = "-dispatch"


def dispatch_workflow_id(task_queue: str, region: str) -> str:
    """The region's one notification dispatcher of the workers on `task_queue` (or on its
    dispatch queue: the same one): references only, so the master key."""
    return f"dispatch-{task_queue.removesuffix(DISPATCH_QUEUE_SUFFIX)}-{region}"


def dispatch_queue(task_queue: str) -> str:
    """The task queue of the dispatchers of the workers on `task_queue`: a queue (and a worker
    process) of their own, so a storm of firings that saturates the procedures' worker never
    holds up a delivery round."""
    return task_queue.removesuffix(DISPATCH_QUEUE_SUFFIX) + DISPATCH_QUEUE_SUFFIX


# names that activities use to reach workflows without importing them
NOTIFICATION_FAILED = "notification_failed"  # signal on the CaseWorkflow
DISPATCH_WORKFLOW = "DispatchWorkflow"
DISPATCH_WAKE = "wake"  # signal on the DispatchWorkflow: deliveries are waiting
