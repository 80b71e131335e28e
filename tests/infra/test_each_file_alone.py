"""Every test file of the domain, the services and the workflows passes when run on its own,
as a maintainer runs the one file they work on: no file may depend on another having
imported something first (a table some import fills, a registry some import completes)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    str(path.relative_to(ROOT))
    for folder in ("domain", "services", "workflows")
    for path in (ROOT / "tests" / folder).glob("test_*.py")
)


@pytest.mark.slow
@pytest.mark.parametrize("file", FILES)
def test_the_file_passes_on_its_own(file):
    run = subprocess.run(
        [sys.executable, "-m", "pytest", file, "-q", "-x", "-p", "no:cacheprovider"],
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
