"""A bounded, seeded chaos run (the bench's own code): a few cases while the worker, the API,
the Temporal dev server and Postgres are killed at random; nothing may be lost, doubled,
stuck or failed, and no notice may go missing; also with two workers and two API processes,
one or both of a kind killed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.chaos import run


@pytest.mark.slow  # about 2 minutes
@pytest.mark.parametrize(
    "replicas, cases, faults, seed",
    # two workers and two APIs behind one port; seed 3 kills one worker, one API, both
    # workers and both APIs, the dev server and Postgres
    [(2, 6, 12, 3)],
    ids=["two-of-each"],
)
async def test_nothing_is_lost_under_random_faults(workdir: Path, replicas, cases, faults, seed):
    root = workdir / f"chaos-{replicas}"
    root.mkdir()
    figures = await run(
        cases=cases, faults=faults, seed=seed, time_scale=0.00005, root=root, replicas=replicas
    )
    assert figures["faults"] == faults
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
