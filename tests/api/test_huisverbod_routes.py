"""The huisverbod's commands, made from one table, are the operations v1 published: a client
generated from the document keeps its method names, paths and bodies."""

from __future__ import annotations

from api.app import create_app
from infra.settings import Settings

PUBLISHED = {  # path below /huisverboden/{huisverbod_id}: operationId's name, summary, body
    "decision": ("decide", "Decide", "DecisionIn"),
    "extension": ("extend", "Extend", "ExtensionIn"),
    "appeal": ("appeal", "Appeal", "AppealIn"),
    "ruling": ("rule", "Rule", "RulingIn"),
    "hearing": ("hearing", "Hearing", "HearingIn"),
    "withdrawal": ("withdraw", "Withdraw", "WithdrawalIn"),
    "refiling": ("refile", "Refile", None),
    "violations": ("violation", "Violation", "ViolationIn"),
    "milestones": ("milestone", "Milestone", "MilestoneIn"),
}


def test_each_command_keeps_its_operation_id_summary_and_body():
    paths = create_app(Settings()).openapi()["paths"]
    found = {}
    for segment in PUBLISHED:
        operation = paths[f"/huisverboden/{{huisverbod_id}}/{segment}"]["post"]
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        found[segment] = (
            operation["operationId"].removesuffix(
                f"_v1_huisverboden__huisverbod_id__{segment}_post"
            ),
            operation["summary"],
            body and body["schema"]["$ref"].removeprefix("#/components/schemas/"),
        )
        assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/HuisverbodView"
        }
        assert [p["name"] for p in operation["parameters"]] == ["huisverbod_id"]
    assert found == PUBLISHED
