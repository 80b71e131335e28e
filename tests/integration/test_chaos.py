"""A bounded, seeded chaos run (the bench's own code): a few cases while the worker, the API,
the Temporal dev server and Postgres are killed at random; nothing may be lost, doubled,
stuck or failed, and no notice may go missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.chaos import run


@pytest.mark.slow  # about 2 minutes
async def test_nothing_is_lost_under_random_faults(workdir: Path):
    root = workdir / "chaos"
    root.mkdir()
    figures = await run(cases=8, faults=10, seed=11, time_scale=0.00005, root=root)
    assert figures["faults"] == 10
    losses = {
        name: figures[name]
        for name in (
            "lost",
            "duplicated",
            "duplicate_notifications",
            "wrong_end",
            "missing_notifications",
            "stuck",
            "failed",
            "flow_errors",
            "gave_up",
            "server_errors_outside_faults",
        )
    }
    assert losses == dict.fromkeys(losses, 0), figures
    assert figures["notifications"] > 0
