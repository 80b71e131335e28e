"""Every test gets its kind from where it lives, so `./run test --fast` can pick the quick ones.

`unit`: no server at all; `workflow`: Temporal's time-skipping test server; `integration`: the
real stack (Temporal dev server, Postgres, the API); `browser`: Chromium on top of that.
A test that takes long says so itself with `@pytest.mark.slow`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).parent
KINDS = {
    "api": "unit",
    "deploy": "unit",
    "docs": "unit",
    "domain": "unit",
    "infra": "unit",
    "services": "unit",
    "zgw": "unit",
    "workflows": "workflow",
    "integration": "integration",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0]
        if folder not in KINDS:
            raise pytest.UsageError(f"tests/{folder}: add its kind to KINDS in tests/conftest.py")
        item.add_marker(KINDS[folder])
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker("browser")
