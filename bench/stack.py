"""The stack a bench runs against: an embedded Postgres, the Temporal dev server, the workers
and the APIs as processes of their own (as many of each as asked: the APIs accept on one
socket, as under `ketenregie up --workers N --apis M`), and the partners' mail and webhook
sink in the bench process (it counts what each partner received)."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psutil

from infra.settings import Settings
from ketenregie.stack import (
    Part,
    TemporalDevServer,
    embedded_postgres,
    free_port,
    nth_address,
    replicas,
    shared_listener,
    spawn,
    stop_process,
)
from testing.partners import MailSink, WebhookReceiver, partner_chain

REPO = Path(__file__).resolve().parent.parent


def cache_bytecode(root: Path) -> None:
    """Write and read bytecode under `root` in this process, as an installed package has it
    (see `BenchStack.env`): the bench's figures are not to include compiling our modules."""
    sys.dont_write_bytecode = False
    sys.pycache_prefix = str(root / "pycache")


class BenchStack:
    """The parts on fresh ports under `root`; `settings` are the bench's own (task queue,
    time scale, ...). The workers and the APIs read the same settings from `env`. `engine`
    "cluster" runs the Temporal server's services as processes of their own on a Postgres of
    their own (ketenregie.cluster) instead of the dev server."""

    def __init__(
        self, root: Path, workers: int = 1, apis: int = 1, engine: str = "dev", **settings: Any
    ) -> None:
        self.root, self.logs, self.engine = root, root / "logs", engine
        self.logs.mkdir(parents=True, exist_ok=True)
        self.dsn, self.pg = embedded_postgres(root / "pg")
        if engine == "cluster":
            from ketenregie.cluster import TemporalCluster, build

            build()
            self.temporal = TemporalCluster(root / "cluster", free_port(), self.logs)
        else:
            self.temporal = TemporalDevServer(
                root / "temporal.sqlite", free_port(), None, self.logs / "temporal.log"
            )
        sink_port = free_port()
        chosen = {
            "data_dir": root,
            "database_url": self.dsn,
            "temporal_address": self.temporal.address,
            "chain_file": partner_chain(root / "chain.yaml", sink_port),
            "smtp_port": free_port(),
            "sink_port": sink_port,
            "api_port": free_port(),
            "secure_cookies": False,  # plain HTTP on this machine
            "dev_sign_in": True,  # bench.scan signs in through the form
            **settings,
        }
        self.settings = Settings(**chosen)
        self.settings.keyring  # noqa: B018 - the dev keys exist before the parts read them
        self.settings.dev_signing_key  # noqa: B018
        self.env = {
            "PYTHONPATH": str(REPO),
            # bytecode cached (outside the tree), as an installed package has it: the worker's
            # sandbox imports a workflow's module again for each workflow it brings into
            # memory, and without it compiles the source each time (a third of its CPU)
            "PYTHONDONTWRITEBYTECODE": "",
            "PYTHONPYCACHEPREFIX": str(root / "pycache"),
            **{f"KETENREGIE_{name.upper()}": str(value) for name, value in chosen.items()},
        }
        self.mail = MailSink(self.settings.smtp_host, self.settings.smtp_port)
        self.hooks = WebhookReceiver(
            self.settings.smtp_host, sink_port, self.settings.webhook_secret
        )
        self.listener = shared_listener(self.settings.api_host, self.settings.api_port)
        self.workers: list[Part] = replicas("worker", workers, self._worker, self.logs)
        self.apis: list[Part] = replicas(
            "api", apis, lambda i, log: spawn("api", self.env, log, self.listener), self.logs
        )

    def _worker(self, i: int, log: Path) -> subprocess.Popen:
        env = self.env
        if metrics := env.get("KETENREGIE_WORKER_METRICS_ADDRESS"):  # a port each
            env = env | {"KETENREGIE_WORKER_METRICS_ADDRESS": nth_address(metrics, i)}
        return spawn("worker", env, log)

    def start_replicas(self) -> None:
        """Start every worker and API process."""
        for part in self.workers + self.apis:
            part.start()

    def postgres(self) -> list[int]:
        """The embedded Postgres's postmaster (its backends are its children)."""
        return [
            p.pid
            for p in psutil.process_iter(["name", "cmdline"])
            if (p.info["name"] or "").startswith("postgres")
            and str(self.root / "pg") in " ".join(p.info["cmdline"] or [])
        ]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.settings.api_port}"

    async def start_sinks(self) -> None:
        self.mail.start()
        await self.hooks.start()

    async def wait_healthy(
        self, timeout: float = 120.0, meanwhile: Callable[[], None] | None = None
    ) -> None:
        """Until the API answers that it and the worker are up; `meanwhile` runs (in a
        thread) between the tries."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=3) as http:
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    r = await http.get(f"{self.base}/healthz")
                    if r.status_code == 200 and r.json().get("worker") == "ok":
                        return
                if meanwhile is not None:
                    await asyncio.to_thread(meanwhile)
                await asyncio.sleep(0.3)
        raise RuntimeError(f"the stack did not become healthy; see {self.logs}")

    async def stop(self) -> None:
        """Stop the APIs and the workers, then the servers and the sink."""
        for part in self.apis + self.workers:
            stop_process(part.process)
        self.listener.close()
        self.temporal.stop()
        await self.hooks.stop()
        self.mail.stop()
        self.pg.cleanup()


class Meter:
    """CPU (cores used since the start or `reset`, less the idle rate) and the largest memory
    of parts, each part some processes and their children (Postgres starts a backend per
    connection). A process that ended counts with its CPU when last sampled."""

    def __init__(self, parts: dict[str, list[int]]) -> None:
        self.parts = {name: [psutil.Process(pid) for pid in pids] for name, pids in parts.items()}
        self.seen: dict[str, dict[int, float]] = {name: {} for name in self.parts}
        self.reset()

    def reset(self) -> None:
        self.began = time.monotonic()
        self.start = {name: self.cpu(name) for name in self.parts}
        self.memory = dict.fromkeys(self.parts, 0)
        self.idle = dict.fromkeys(self.parts, 0.0)

    async def idle_for(self, seconds: float) -> None:
        """Reset, then take what each part uses while nothing happens for `seconds` as its
        idle rate, which `used` leaves out (a dev server polls, a worker long-polls)."""
        self.reset()
        await asyncio.sleep(seconds)
        wall = time.monotonic() - self.began
        self.idle = {name: self.used(name) / wall for name in self.parts}

    def processes(self, name: str) -> list[psutil.Process]:
        """The part's processes and their children, but for a child that is a part itself."""
        others = {p.pid for part in self.parts.values() for p in part}
        found = []
        for p in self.parts[name]:
            with contextlib.suppress(psutil.NoSuchProcess):
                found += [p, *(c for c in p.children(recursive=True) if c.pid not in others)]
        return found

    def cpu(self, name: str) -> float:
        """CPU seconds used by the part's processes, alive or seen before."""
        for p in self.processes(name):
            with contextlib.suppress(psutil.NoSuchProcess):
                t = p.cpu_times()
                self.seen[name][p.pid] = t.user + t.system
        return sum(self.seen[name].values())

    def used(self, name: str) -> float:
        """CPU seconds since the start, less the idle rate's share (never below none)."""
        wall = time.monotonic() - self.began
        return max(self.cpu(name) - self.start[name] - self.idle[name] * wall, 0.0)

    def sample(self) -> None:
        """The parts' memory now: their processes' RSS and their children's unique memory
        (Postgres's backends share its buffers, which RSS would count once per backend)."""
        for name, tops in self.parts.items():
            self.cpu(name)
            total = 0
            for p in self.processes(name):
                with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                    total += p.memory_info().rss if p in tops else p.memory_full_info().uss
            self.memory[name] = max(self.memory[name], total)

    def report(self) -> None:
        wall = time.monotonic() - self.began
        for name in self.parts:
            cores = self.used(name) / wall
            print(
                f"  {name:<22} CPU {cores:5.2f} cores   memory {self.memory[name] / 2**20:7.0f} MiB"
            )
