"""Cases started by older releases must keep running: replay their recorded histories.

Fails when a workflow change breaks determinism; such a change goes behind
`workflow.patched(...)` (see docs/developers.md, "Upgrading running cases").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from testing import recording_converter
from workers.main import WORKFLOW_RUNNER, workflows
from workflows.patches import CATALOGUE

HISTORIES = sorted((Path(__file__).parents[1] / "histories").glob("*.json"))


def test_there_are_recorded_histories():
    names = {p.stem for p in HISTORIES}
    assert {"case_closed_with_advice", "case_monitoring_running", "notify_alert"} <= names


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: p.stem)
async def test_recorded_history_replays(path: Path, monkeypatch):
    """...and takes the old branch of exactly the patches whose catalogue entry names it, so
    `workflows.patches` says truly which history still needs which patch."""
    old_branches = set()
    patched = workflow.patched

    def spy(name: str) -> bool:
        taken = patched(name)
        if not taken:
            old_branches.add(name)
        return taken

    monkeypatch.setattr(workflow, "patched", spy)
    history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
    replayer = Replayer(
        workflows=workflows(), workflow_runner=WORKFLOW_RUNNER, data_converter=recording_converter()
    )
    await replayer.replay_workflow(history)
    assert old_branches == {p.name for p in CATALOGUE.values() if path.stem in p.old_histories}
