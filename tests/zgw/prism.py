"""Stoplight's prism (`prism mock --errors`) on the official ZGW specifications: the fake
(tests/zgw/fake.py) forwards every request to it first, and a request prism finds violating
its specification is refused. Prism comes from `tools/` (package.json and its lock): `npm
ci` installs it there when it is missing.

Prism checks parameters, headers, security and most bodies; it does not check the body of
a zaak (POST /zaken), whose schema it cannot compile, so `openapi-core` checks every request
as well.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.zgw.fake import SPECS, ZTC_REMOTE

TOOLS = Path(__file__).resolve().parents[2] / "tools"
PRISM = TOOLS / "node_modules" / ".bin" / "prism"
MOUNTS = {"zaken": "zrc", "besluiten": "brc", "documenten": "drc"}


def prism_binary() -> Path:
    """The prism of tools/ (`./run test` installs it from the lock)."""
    assert PRISM.exists(), "prism is missing: `./run test` installs it (npm ci in tools/)"
    return PRISM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrismMocks:
    """One `prism mock --errors` per API, on ports of its own; `urls` by mount point."""

    def __init__(self) -> None:
        self.urls: dict[str, str] = {}
        self._processes: list[subprocess.Popen] = []
        self._dir = Path(tempfile.mkdtemp(prefix="prism-zgw-"))

    def start(self, timeout: float = 120.0) -> None:
        binary = prism_binary()
        # the Zaken and Documenten APIs refer to the Catalogi API on GitHub: our copy beside
        shutil.copy(SPECS / "ztc.yaml", self._dir / "ztc.yaml")
        for mount, spec in MOUNTS.items():
            text = (SPECS / f"{spec}.yaml").read_text(encoding="utf-8")
            (self._dir / f"{spec}.yaml").write_text(
                text.replace(ZTC_REMOTE, "./ztc.yaml"), encoding="utf-8"
            )
            port = _free_port()
            log = (self._dir / f"{spec}.log").open("w")
            self._processes.append(
                subprocess.Popen(
                    [str(binary), "mock", f"{spec}.yaml", "--errors", "-h", "127.0.0.1"]
                    + ["-p", str(port)],
                    cwd=self._dir,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            self.urls[mount] = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        for spec in MOUNTS.values():
            while "Prism is listening" not in (self._dir / f"{spec}.log").read_text():
                dead = [p for p in self._processes if p.poll() is not None]
                assert not dead, f"prism stopped: {(self._dir / f'{spec}.log').read_text()}"
                assert time.monotonic() < deadline, f"prism did not start for {spec}"
                time.sleep(0.25)

    def stop(self) -> None:
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self._dir, ignore_errors=True)
