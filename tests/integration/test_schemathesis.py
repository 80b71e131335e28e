"""Property-based abuse of the whole API from its OpenAPI schema (bounded): no 500s and
no response that breaks the schema, for a coordinator's token and for none."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import uvicorn

from api.auth import mint_token
from ketenregie.stack import free_port


async def test_schemathesis_finds_no_server_errors_or_schema_violations(
    app, settings, workdir: Path
):
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    token = mint_token(settings, org="vt-haaglanden", role="coordinator")
    try:
        proc = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "schemathesis"),
            "run",
            f"http://127.0.0.1:{port}/openapi.json",
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
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(proc.communicate(), timeout=900)
    finally:
        server.should_exit = True
        await serving
    text = output.decode()
    print(text[-3000:])  # the counts (operations, test cases, failures) for the record
    assert proc.returncode == 0, text[-6000:]
