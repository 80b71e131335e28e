"""Property-based abuse of the whole API from its OpenAPI schema (bounded): no 500s and
no response that breaks the schema, for a coordinator's token and for none."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from api.auth import mint_token


@pytest.mark.slow  # about 30 s
async def test_schemathesis_finds_no_server_errors_or_schema_violations(
    site: str, settings, workdir: Path
):
    token = mint_token(settings, org="vt-haaglanden", role="coordinator")
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{site}/v1/openapi.json",
        "--checks",
        "not_a_server_error,response_schema_conformance",
        "--max-examples",
        "15",
        "--phases",
        "examples,fuzzing",
        "--header",
        f"Authorization: Bearer {token}",
        "--seed",
        "1",
        "--report-dir",
        str(workdir / "schemathesis"),
        "--no-color",
        "--request-timeout",
        "60",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(proc.communicate(), timeout=900)
    text = output.decode()
    print(text[-3000:])  # the counts (operations, test cases, failures) for the record
    assert proc.returncode == 0, text[-6000:]
