"""`ketenregie up` as a user runs it: starts everything, stops on Ctrl-C, resumes on the same data."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.auth import mint_token
from infra.settings import Settings
from ketenregie.stack import free_port
from tests.integration.flows import HULPOFFICIER, melding

HUISVERBOD_REQUEST = {
    "pleger_ref": "p2",
    "address": "Straat 1",
    "requested_by": {"organisation": "politie", "officer": "A"},
    "grounds": "Feiten en omstandigheden.",
    "children_at_address": False,
}


def start_stack(
    data: Path, env: dict[str, str], command: tuple[str, ...] = ("ketenregie.cli", "up")
) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", *command],
        env={**os.environ, **env},
        stdout=(data.parent / "up.log").open("ab"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, (data.parent / "up.log").read_text()
        try:
            if (
                httpx.get(
                    f"http://127.0.0.1:{env['KETENREGIE_API_PORT']}/healthz", timeout=2
                ).status_code
                == 200
            ):
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(
        "the stack did not become healthy: " + (data.parent / "up.log").read_text()
    )


def stop_stack(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    assert proc.wait(60) == 0


def stack_env(workdir: Path, name: str) -> tuple[Path, dict[str, str], str]:
    """A data directory of its own and free ports for one stack: (data, env, base URL)."""
    data = workdir / name / "data"
    data.parent.mkdir(parents=True)
    data.parent.chmod(0o755)
    api_port = free_port()
    env = {
        "KETENREGIE_DATA_DIR": str(data),
        "KETENREGIE_API_PORT": str(api_port),
        "KETENREGIE_TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "KETENREGIE_TEMPORAL_UI_PORT": str(free_port()),
        "KETENREGIE_WORKER_METRICS_ADDRESS": f"127.0.0.1:{free_port()}",
        "KETENREGIE_SINK_PORT": str(free_port()),
        "KETENREGIE_SMTP_PORT": str(free_port()),
    }
    return data, env, f"http://127.0.0.1:{api_port}"


@pytest.mark.slow  # about 25 s
def test_up_serves_the_api_stops_on_ctrl_c_and_resumes_on_the_same_data(workdir: Path):
    data, env, base = stack_env(workdir, "stack")
    api_port = int(env["KETENREGIE_API_PORT"])

    def client(org: str, role: str) -> httpx.Client:
        token = mint_token(Settings(data_dir=data), org=org, role=role)
        return httpx.Client(base_url=base, headers={"authorization": f"Bearer {token}"}, timeout=30)

    proc = start_stack(data, env)
    try:
        vt, police = (
            client("vt-haaglanden", "coordinator"),
            client("politie-den-haag", "hulpofficier"),
        )
        assert httpx.get(f"{base}/docs").status_code == 200
        assert httpx.post(f"{base}/v1/meldingen", json=melding()).status_code == 401
        case_id = vt.post("/v1/meldingen", json=melding()).json()["case_id"]
        hv = police.post(
            f"/v1/cases/{case_id}/huisverbod-requests",
            json=HUISVERBOD_REQUEST,
        ).json()["huisverbod_id"]
        imposed = police.post(
            f"/v1/huisverboden/{hv}/decision",
            json={"decision": "impose", "reason": "gevaar", "decided_by": HULPOFFICIER},
        ).json()
        assert imposed["status"] == "imposed"
    finally:
        stop_stack(proc)
    assert (data / "temporal.sqlite").exists()
    for port in (api_port, int(env["KETENREGIE_TEMPORAL_ADDRESS"].rsplit(":", 1)[1])):
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still served after Ctrl-C"

    proc = start_stack(data, env)
    try:
        again = vt.get(f"/v1/huisverboden/{hv}").json()
        assert again["status"] == "imposed" and again["ends_at"] == imposed["ends_at"]
        # the workflow and its 10-day timer are still alive: it takes the next command
        jurist = client("burgemeester-gm0518", "jurist")
        appeal = jurist.post(f"/v1/huisverboden/{hv}/appeal", json={})
        assert appeal.status_code == 200 and appeal.json()["appeal"] is not None
        assert vt.get(f"/v1/cases/{case_id}").status_code == 200
    finally:
        stop_stack(proc)


def children(parent: int, role: str) -> list[int]:
    """Pids of the `ketenregie <role>` processes that `parent` started."""
    found = subprocess.run(
        ["pgrep", "-P", str(parent), "-f", f"ketenregie.cli {role}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return [int(pid) for pid in found.stdout.split()]


@pytest.mark.slow  # about 20 s
def test_up_starts_a_part_again_when_it_dies(workdir: Path):
    """`ketenregie up` supervises: a worker or API killed with -9 is started again and says
    why; what was asked meanwhile is done once it is back."""
    data, env, base = stack_env(workdir, "supervised")
    token = mint_token(Settings(data_dir=data), org="vt-haaglanden", role="coordinator")
    vt = httpx.Client(base_url=base, headers={"authorization": f"Bearer {token}"}, timeout=30)
    proc = start_stack(data, env)
    try:
        (worker,) = children(proc.pid, "worker")
        os.kill(worker, signal.SIGKILL)
        case_id = vt.post("/v1/meldingen", json=melding()).json()["case_id"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            again = children(proc.pid, "worker")
            phase = vt.get(f"/v1/cases/{case_id}").json()
            if again and again != [worker] and phase["timeline"]:
                break
            time.sleep(0.5)
        else:
            raise AssertionError((data.parent / "up.log").read_text())
        log = (data.parent / "up.log").read_text()
        assert "the worker exited (code -9)" in log and "the worker is started again" in log
        (api,) = children(proc.pid, "api")
        os.kill(api, signal.SIGKILL)
        start = time.monotonic()
        while time.monotonic() - start < 60:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz", timeout=2).json().get("worker") == "ok":
                    break
            time.sleep(0.5)
        assert vt.get(f"/v1/cases/{case_id}").status_code == 200
    finally:
        stop_stack(proc)


@pytest.mark.slow  # about 20 s
def test_run_up_brings_the_partners_stand_ins_up_beside_the_stack(workdir: Path):
    """`./run up` (`testing.up`) is the product's stack and, beside it, the stand-ins for the
    partners: the mayor's office's mail about a requested huisverbod shows on the stand-ins'
    page; Ctrl-C stops them with the stack."""
    data, env, base = stack_env(workdir, "developer")
    partners = f"http://127.0.0.1:{env['KETENREGIE_SINK_PORT']}/"

    def client(org: str, role: str) -> httpx.Client:
        token = mint_token(Settings(data_dir=data), org=org, role=role)
        return httpx.Client(base_url=base, headers={"authorization": f"Bearer {token}"}, timeout=30)

    proc = start_stack(data, env, ("testing.up",))
    try:
        vt, police = (
            client("vt-haaglanden", "coordinator"),
            client("politie-den-haag", "hulpofficier"),
        )
        case_id = vt.post("/v1/meldingen", json=melding()).json()["case_id"]
        requested = police.post(
            f"/v1/cases/{case_id}/huisverbod-requests",
            json=HUISVERBOD_REQUEST,
        )
        assert requested.status_code == 201, requested.text
        deadline = time.monotonic() + 90
        mail: list[dict] = []
        while not any(m["to"] == "huisverbod@denhaag.example" for m in mail):
            assert time.monotonic() < deadline, (data / "logs" / "sink.log").read_text()
            with contextlib.suppress(httpx.HTTPError):
                mail = httpx.get(partners, timeout=2).json()["mail"]
            time.sleep(0.5)
    finally:
        stop_stack(proc)
    with socket.socket() as s:
        port = int(env["KETENREGIE_SINK_PORT"])
        assert s.connect_ex(("127.0.0.1", port)) != 0, "the stand-ins still listen after Ctrl-C"
