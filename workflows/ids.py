"""Workflow ids: references only, never personal data; the case id can be read back."""


def case_workflow_id(case_id: str) -> str:
    return f"case-{case_id}"


def huisverbod_workflow_id(case_id: str, huisverbod_id: str) -> str:
    return f"huisverbod-{case_id}-{huisverbod_id}"


def case_of_workflow(workflow_id: str) -> str | None:
    """The case a workflow belongs to, read from its id (ids are references, never personal data)."""
    kind, _, rest = workflow_id.partition("-")
    if kind == "case" and rest:
        return rest
    if kind == "huisverbod" and "-" in rest:
        return rest.split("-", 1)[0]
    return None
