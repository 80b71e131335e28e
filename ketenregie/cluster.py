"""The Temporal server as production runs it: built from its Go module at a pinned version,
persisting to a PostgreSQL of its own (over TCP) with SQL visibility, its services as
separate processes (frontend, two history, matching and the internal worker service) that
find each other through the membership table, on loopback. `ketenregie up --engine cluster`, the cluster
test and the benches' `--engine cluster` run it; `deploy/helm/temporal-values.yaml` pins the
same version, persistence, shard count policy and dynamic config (tests/deploy)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import yaml

from infra.client import REGION
from ketenregie.stack import Part, free_port, stop_process

VERSION = "1.32.2"  # the Helm values' image tag is the same (tests/deploy)
# v1.32.2's go.mod asks for Go 1.26.10; the machine has 1.26.8. This toolchain is the one the
# Go module proxy serves that is approved here; the go command fetches it like a module.
GOTOOLCHAIN = "go1.27.3"
MODULE = "go.temporal.io/server"
# 4 shards for two cores: every shard is a lease, a queue set and a cache a history process
# keeps busy. Production uses 512 (deploy/helm): the count is fixed once the database exists,
# and shards are the unit history work is spread over, so it is sized for the most history
# processes a region will ever run, not for the first ones.
SHARDS = 4
NAMESPACE = "default"
RETENTION_DAYS = 3
# what matters of the dynamic config, here and in the Helm values alike
DYNAMIC_CONFIG = {
    # Postgres's schema keeps workflow ids in VARCHAR(255)
    "limit.maxIDLength": [{"value": 255, "constraints": {}}],
}
SERVICES = ("frontend", "history", "matching", "worker")


def cache_dir() -> Path:
    """Where the built server lives: outside any work tree, one folder per version."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ketenregie" / f"temporal-server-v{VERSION}"


def build(echo=print) -> Path:
    """Build `temporal-server` and `temporal-sql-tool` from the Go module proxy once, with the
    module's PostgreSQL schemas beside them; skipped when they are there."""
    target = cache_dir()
    if (target / "temporal-server").exists() and (target / "schema").exists():
        return target
    go = shutil.which("go")
    if go is None:
        raise FileNotFoundError("the Temporal server is built with Go: install Go first")
    echo(f"building the Temporal server v{VERSION} (once, a few minutes) into {target}")
    started = time.monotonic()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    env = {**os.environ, "GOTOOLCHAIN": GOTOOLCHAIN, "GOBIN": str(work)}
    packages = [f"{MODULE}/cmd/server@v{VERSION}", f"{MODULE}/cmd/tools/sql@v{VERSION}"]
    subprocess.run(["nice", go, "install", *packages], env=env, check=True)
    modcache = subprocess.run(
        [go, "env", "GOMODCACHE"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    (work / "server").rename(work / "temporal-server")
    (work / "sql").rename(work / "temporal-sql-tool")
    source = Path(modcache) / f"{MODULE}@v{VERSION}" / "schema" / "postgresql" / "v12"
    shutil.copytree(source, work / "schema", copy_function=shutil.copyfile)
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
    echo(f"built in {time.monotonic() - started:.0f} s")
    return target


def membership_port() -> int:
    """A free port below 32768: the membership table keeps a host's port in a smallint, where
    the kernel's ephemeral ports (32768 and up) do not fit."""
    rng = random.SystemRandom()
    while True:
        port = rng.randrange(10_000, 32_768)
        with socket.socket() as s, contextlib.suppress(OSError):
            s.bind(("127.0.0.1", port))
            return port


class TemporalPostgres:
    """Debian's PostgreSQL for the Temporal server alone, on 127.0.0.1:`port`, its data in
    `directory`: production gives Temporal a database server of its own (deploy/helm:
    temporal-postgres), and the embedded one the rest of the stack uses has no btree_gin,
    which SQL visibility's schema needs. `./run` installs Debian's package."""

    USER = "postgres"  # Debian's package makes this user; initdb refuses root

    def __init__(self, directory: Path, port: int) -> None:
        self.directory, self.port = directory, port
        found = sorted(
            Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3])
        )
        self.bin = found[-1].parent if found else None

    @property
    def dsn(self) -> str:
        return f"postgresql://{self.USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess:
        if self.bin is None:
            raise FileNotFoundError("Debian's PostgreSQL is missing: apt-get install postgresql")
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", self.USER, "--", *command]
        return subprocess.run(command, check=False, capture_output=True, text=True)

    def running(self) -> bool:
        return self._run("pg_ctl", "status", "-D", str(self.directory)).returncode == 0

    def start(self) -> None:
        """Create the cluster when new; start it unless it runs (also after a kill)."""
        if not (self.directory / "PG_VERSION").exists():
            self.directory.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.directory, self.USER, self.USER)
            _check(self._run("initdb", "-D", str(self.directory), "-U", self.USER, "-A", "trust"))
        if not self.running():
            options = f'-h 127.0.0.1 -p {self.port} -k ""'
            log = str(self.directory / "log")
            _check(
                self._run(
                    "pg_ctl", "start", "-w", "-D", str(self.directory), "-l", log, "-o", options
                )
            )

    def pid(self) -> int:
        return int((self.directory / "postmaster.pid").read_text().split()[0])

    def kill(self) -> None:
        """An immediate stop: what a crash leaves."""
        self._run("pg_ctl", "stop", "-m", "immediate", "-D", str(self.directory))

    def stop(self) -> None:
        if self.running():
            _check(self._run("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.directory)))


def cluster_config(
    dsn: str, ports: dict[str, dict[str, int]], dynamic_config: Path, shards: int = SHARDS
) -> dict:
    """The server's configuration: `ports` gives each service its gRPC and membership ports."""
    db = urlparse(dsn)

    def store(database: str, conns: int) -> dict:
        return {
            "sql": {
                "pluginName": "postgres12",
                "databaseName": database,
                "connectAddr": f"{db.hostname}:{db.port or 5432}",
                "connectProtocol": "tcp",
                "user": db.username or "postgres",
                "password": db.password or "",
                "maxConns": conns,
                "maxIdleConns": conns,
                "maxConnLifetime": "1h",
            }
        }

    frontend = f"127.0.0.1:{ports['frontend']['grpcPort']}"
    return {
        "log": {"stdout": True, "level": "warn"},
        "persistence": {
            "defaultStore": "default",
            "visibilityStore": "visibility",
            "numHistoryShards": shards,
            "datastores": {
                "default": store("temporal", 20),
                "visibility": store("temporal_visibility", 10),
            },
        },
        "global": {"membership": {"maxJoinDuration": "30s", "broadcastAddress": "127.0.0.1"}},
        "services": {name: {"rpc": {**ports[name], "bindOnLocalHost": True}} for name in SERVICES},
        "clusterMetadata": {
            "enableGlobalNamespace": False,
            "failoverVersionIncrement": 10,
            "masterClusterName": "active",
            "currentClusterName": "active",
            "clusterInformation": {
                "active": {
                    "enabled": True,
                    "initialFailoverVersion": 1,
                    "rpcName": "frontend",
                    "rpcAddress": frontend,
                }
            },
        },
        "dcRedirectionPolicy": {"policy": "noop"},
        "archival": {"history": {"state": "disabled"}, "visibility": {"state": "disabled"}},
        "namespaceDefaults": {
            "archival": {"history": {"state": "disabled"}, "visibility": {"state": "disabled"}}
        },
        "dynamicConfigClient": {"filepath": str(dynamic_config), "pollInterval": "10s"},
    }


class TemporalCluster:
    """The server's services as processes of their own under `root`, on a Postgres of their
    own, the frontend on `port`; `parts` are supervised like the rest of the stack."""

    HISTORIES = 2

    def __init__(self, root: Path, port: int, logs: Path) -> None:
        self.root, self.port, self.logs = root, port, logs
        self.bin = cache_dir()
        self.root.mkdir(parents=True, exist_ok=True)
        self.postgres = TemporalPostgres(root / "pg", free_port())
        self.dsn = dsn = self.postgres.dsn
        dynamic = self.root / "dynamicconfig.yaml"
        dynamic.write_text(yaml.safe_dump(DYNAMIC_CONFIG))

        def rpc(grpc: int | None = None) -> dict[str, int]:
            return {"grpcPort": grpc or free_port(), "membershipPort": membership_port()}

        ports = {name: rpc() for name in SERVICES}
        ports["frontend"] = {**rpc(port), "httpPort": free_port()}
        # the one history section of a config file: a file per history process
        histories = [ports["history"], *(rpc() for _ in range(self.HISTORIES - 1))]
        self.config = cluster_config(dsn, ports, dynamic)
        runs = [("frontend", "frontend", ports)]
        runs += [
            (f"history-{i + 1}", "history", ports | {"history": h}) for i, h in enumerate(histories)
        ]
        runs += [("matching", "matching", ports), ("worker", "worker", ports)]
        self.parts: list[Part] = []
        self.addresses: dict[str, str] = {}  # each part's gRPC address, by its name
        for name, service, these in runs:
            config = self.root / f"{name}.yaml"
            config.write_text(yaml.safe_dump(cluster_config(dsn, these, dynamic)))
            log = logs / f"temporal-{name}.log"
            self.addresses[f"Temporal {name}"] = f"127.0.0.1:{these[service]['grpcPort']}"
            self.parts.append(
                Part(f"Temporal {name}", lambda c=config, s=service, f=log: self._run(c, s, f), log)
            )

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def of(self, service: str) -> list[Part]:
        """The parts that run `service` (history: both)."""
        return [p for p in self.parts if p.name.split()[-1].split("-")[0] == service]

    def pids(self) -> dict[str, list[int]]:
        """Each service's processes and Temporal's Postgres, for a bench's meter."""
        found = {f"Temporal {s}": [p.process.pid for p in self.of(s)] for s in SERVICES}
        return found | {"Temporal's Postgres": [self.postgres.pid()]}

    def _run(self, config: Path, service: str, log: Path) -> subprocess.Popen:
        args = [str(self.bin / "temporal-server"), "--config-file", str(config)]
        args += ["--allow-no-auth", "start", "--service", service]
        return subprocess.Popen(
            args, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True
        )

    def setup_schema(self) -> None:
        """Both databases with the schema of this version, by the server's own SQL tool: made
        when missing, brought up to this version always (a no-op when it is)."""
        db = urlparse(self.dsn)
        common = [str(self.bin / "temporal-sql-tool"), "--plugin", "postgres12"]
        common += ["--ep", db.hostname, "-p", str(db.port or 5432)]
        common += ["-u", db.username or "postgres", "--pw", db.password or ""]
        for database, schema in (("temporal", "temporal"), ("temporal_visibility", "visibility")):
            tool = [*common, "--db", database]
            if not asyncio.run(_database_exists(self.dsn, database)):
                _quiet([*tool, "create-database"])
                _quiet([*tool, "setup-schema", "-v", "0.0"])
            versioned = self.bin / "schema" / schema / "versioned"
            _quiet([*tool, "update-schema", "-d", str(versioned)])

    def start(self) -> None:
        """Postgres, the schema, the frontend, the namespace and the search attribute
        ketenregie uses, then the other services."""
        try:
            self.postgres.start()
            self.setup_schema()
            # the frontend first: on a new database every service writes the cluster's
            # metadata at its start, and all but one of them die of the duplicate key; the
            # worker service last: it exits when the frontend does not answer at its start
            for part in self.of("frontend"):
                part.start()
            asyncio.run(self.prepare())
            for service in ("history", "matching", "worker"):
                for part in self.of(service):
                    part.start()
        except BaseException:
            self.stop()  # in sessions of their own: nothing else would stop them
            raise

    async def prepare(self, timeout: float = 120.0) -> None:
        """The namespace and `KetenregieRegion`, registered unless they are; until a query on
        that search attribute answers (the frontend's caches know both)."""
        from temporalio.api.enums.v1 import IndexedValueType
        from temporalio.api.operatorservice.v1 import (
            AddSearchAttributesRequest,
            ListSearchAttributesRequest,
        )
        from temporalio.api.workflowservice.v1 import RegisterNamespaceRequest
        from temporalio.client import Client
        from temporalio.service import RPCError, RPCStatusCode

        deadline = time.monotonic() + timeout
        while True:
            for part in self.parts:  # a service that could not start says why in its log
                if part.process is not None and part.process.poll() is not None:
                    raise RuntimeError(f"the {part.name} exited; see {part.log_file}")
            try:
                client = await Client.connect(self.address, namespace=NAMESPACE)
                try:
                    await client.workflow_service.register_namespace(
                        RegisterNamespaceRequest(
                            namespace=NAMESPACE,
                            workflow_execution_retention_period={"seconds": RETENTION_DAYS * 86400},
                        )
                    )
                except RPCError as e:
                    if e.status != RPCStatusCode.ALREADY_EXISTS:
                        raise
                known = await client.operator_service.list_search_attributes(
                    ListSearchAttributesRequest(namespace=NAMESPACE)
                )
                if REGION.name not in known.custom_attributes:
                    await client.operator_service.add_search_attributes(
                        AddSearchAttributesRequest(
                            namespace=NAMESPACE,
                            search_attributes={
                                REGION.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
                            },
                        )
                    )
                await client.count_workflows(f'{REGION.name} = "-"')
                return
            except (RPCError, RuntimeError):  # RuntimeError: the frontend does not listen yet
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(1)

    def stop(self) -> None:
        for part in reversed(self.parts):
            stop_process(part.process)
        if self.postgres.bin is not None:
            self.postgres.stop()


async def _database_exists(dsn: str, name: str) -> bool:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await conn.close()


def _quiet(args: list[str]) -> None:
    """Run the SQL tool; its output only when it fails."""
    _check(subprocess.run(args, check=False, capture_output=True, text=True))


def _check(done: subprocess.CompletedProcess) -> None:
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(done.args)} failed:\n{done.stdout}{done.stderr}")


if __name__ == "__main__":
    if sys.argv[1:] != ["build"]:
        sys.exit("usage: python -m ketenregie.cluster build")
    build()
