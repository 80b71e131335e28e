"""The `ketenregie` command: `up` runs the whole local stack; `worker` and `api` run one part;
`backup`, `restore` and `reconcile` look after its data; `zgw` the filing in the
municipalities' zaaksystemen."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import json
import signal
import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from domain.catalogue import CATALOGUE, Catalogue
from domain.chain_policy import Policy
from domain.deadlines import UnknownRule
from domain.workdays import AMSTERDAM, calendar_reach, dutch_date
from infra.settings import ChainIncomplete, Settings


class Engine(str, enum.Enum):
    dev = "dev"
    cluster = "cluster"


app = typer.Typer(
    help="ketenregie: case orchestration for the Veilig Thuis chain", no_args_is_help=True
)


@app.command()
def up(
    time_scale: Annotated[
        float | None, typer.Option(help="Multiply legal durations, e.g. 0.0001 for a demo")
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            help="Demo: the first day of every period 100 times faster (a mayor's 4 hours take"
            " 2.4 minutes), every later day 10,000 times faster (a 10-day ban about 16 minutes)"
        ),
    ] = False,
    workers: Annotated[int, typer.Option(min=1, help="worker processes on the one task queue")] = 1,
    apis: Annotated[int, typer.Option(min=1, help="API processes sharing the API's one port")] = 1,
    engine: Annotated[
        Engine,
        typer.Option(
            help="dev: the Temporal CLI's dev server on SQLite; cluster: the Temporal server"
            " built from its module, on Postgres, its services as processes of their own"
        ),
    ] = Engine.dev,
) -> None:
    """Start Postgres, the Temporal server, the workers and the APIs; Ctrl-C stops all.
    A part that dies is started again; while it is down its replicas carry on (docs/operators.md:
    "Replicas on one machine")."""
    from ketenregie.stack import (
        Part,
        Supervisor,
        TemporalDevServer,
        embedded_postgres,
        nth_address,
        replicas,
        shared_listener,
        spawn,
        wait_for_temporal,
    )

    settings = Settings()
    try:  # a chain that leaves a legal duty without a recipient does not start
        settings.chain  # noqa: B018
    except ChainIncomplete as e:
        typer.echo(str(e), err=True)
        raise typer.Exit(1) from None
    # create the dev keys once, before the worker and the API read them
    settings.keyring  # noqa: B018
    settings.dev_signing_key  # noqa: B018
    data = settings.data_dir.resolve()
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    pg_server = None
    dsn = settings.database_url
    if dsn is None:
        dsn, pg_server = embedded_postgres(data / "pg")
    port = int(settings.temporal_address.rpartition(":")[2])
    api_url = f"http://{settings.api_host}:{settings.api_port}"
    if engine is Engine.cluster:
        from ketenregie.cluster import TemporalCluster, build

        build(lambda line: typer.echo(line, err=True))
        temporal = TemporalCluster(data / "cluster", port, logs)
        temporal.start()
        temporal_parts = temporal.parts
    else:
        temporal = TemporalDevServer(
            data / "temporal.sqlite",
            port,
            settings.temporal_ui_port,
            logs / "temporal.log",
            codec_endpoint=f"{api_url}/codec",
        )

        def start_temporal():
            temporal.start()
            return temporal.process

        temporal_parts = [Part("Temporal dev server", start_temporal, logs / "temporal.log")]
        temporal_parts[0].start()
        asyncio.run(wait_for_temporal(temporal.address))
    metrics_at = settings.worker_metrics_address or "127.0.0.1:9464"
    env = {
        "KETENREGIE_DATABASE_URL": dsn,
        "KETENREGIE_DATA_DIR": str(data),
        "KETENREGIE_WORKER_METRICS_ADDRESS": metrics_at,
        # plain HTTP on this machine: a Secure cookie would not come back (unless asked for)
        "KETENREGIE_SECURE_COOKIES": str(
            "secure_cookies" in settings.model_fields_set and settings.secure_cookies
        ),
        # pick any organisation and role at /login, unless an identity provider is set
        "KETENREGIE_DEV_SIGN_IN": str(
            settings.dev_sign_in
            if "dev_sign_in" in settings.model_fields_set
            else not (settings.oidc_issuer or settings.oidc_jwks_url)
        ),
    }
    if demo:
        env["KETENREGIE_TIME_SCALE"], env["KETENREGIE_FIRST_DAY_SCALE"] = "0.0001", "0.01"
    if time_scale is not None:
        env["KETENREGIE_TIME_SCALE"] = str(time_scale)
    listener = shared_listener(settings.api_host, settings.api_port)

    def worker_part(i: int, log: Path):  # each worker serves its metrics on a port of its own
        return spawn(
            "worker", env | {"KETENREGIE_WORKER_METRICS_ADDRESS": nth_address(metrics_at, i)}, log
        )

    parts = [
        *temporal_parts,
        *replicas("worker", workers, worker_part, logs),
        *replicas("api", apis, lambda i, log: spawn("api", env, log, listener), logs),
    ]
    supervisor = Supervisor(parts, lambda line: typer.echo(line, err=True))
    for part in parts[len(temporal_parts) :]:
        part.start()
    metrics_ports = metrics_at if workers == 1 else f"{metrics_at} .. +{workers - 1}"
    temporal_line = (
        f"  Temporal     gRPC {temporal.address}: frontend, 2 history, matching and worker"
        f" service on a Postgres of its own ({temporal.dsn}; logs {logs}/temporal-*.log)\n"
        if engine is Engine.cluster
        else f"  Temporal UI  http://127.0.0.1:{settings.temporal_ui_port}  (gRPC"
        f" {temporal.address}; payloads decoded by {api_url}/codec for a coordinator signed in"
        f" to the pages)\n"
    )
    typer.echo(
        f"ketenregie is up\n"
        f"  API          {api_url}  (docs: {api_url}/docs, health: {api_url}/healthz)\n"
        f"  Pages        {api_url}/  (sign in at {api_url}/login: pick an organisation and role)\n"
        f"{temporal_line}"
        f"  Metrics      {api_url}/metrics (API), http://{metrics_ports}/metrics (worker)\n"
        f"  Replicas     {workers} worker(s), {apis} API process(es) on the one port\n"
        f"  Postgres     {'embedded in ' + str(data / 'pg') if pg_server else 'KETENREGIE_DATABASE_URL'}\n"
        f"  data dir     {data}  (logs in {logs})\n"
        f"  Atw calendar decrees known up to {dutch_date(calendar_reach())}"
        f" (docs/operators.md: 'The Atw calendar's decrees')\n"
        f"A part that stops is started again. Press Ctrl-C to stop."
    )
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping:
            supervisor.tick()
            time.sleep(0.5)
    finally:
        typer.echo("stopping ...")
        supervisor.stop_all()
        if engine is Engine.cluster:  # its services are parts; its Postgres is not
            temporal.postgres.stop()
        listener.close()
        if pg_server is not None:
            pg_server.cleanup()
        typer.echo("stopped")


@app.command()
def token(
    org: Annotated[
        str, typer.Option(help="organisation id from the chain configuration, e.g. vt-haaglanden")
    ],
    role: Annotated[str, typer.Option(help="role within the organisation, e.g. coordinator")],
    subject: Annotated[str | None, typer.Option(help="user id (never a name)")] = None,
    hours: Annotated[float, typer.Option(help="validity")] = 8,
) -> None:
    """Print a locally signed bearer token, for curl against `ketenregie up`."""
    from api.auth import mint_token
    from domain.access import roles_for

    settings = Settings()
    found = settings.chain.organisation(org)
    if found is None:
        raise typer.BadParameter(f"unknown organisation {org!r}", param_hint="--org")
    if role not in roles_for(found.kind):
        raise typer.BadParameter(
            f"a {found.kind} has roles {roles_for(found.kind)}", param_hint="--role"
        )
    typer.echo(mint_token(settings, org=org, role=role, subject=subject, hours=hours))


@app.command()
def worker() -> None:
    """Run a worker for the case and huisverbod workflows."""
    from workers.main import serve

    asyncio.run(serve(Settings()))


@app.command()
def dispatcher(
    parent: Annotated[
        int | None, typer.Option(help="stop when this process (its worker) is gone")
    ] = None,
) -> None:
    """Run the regions' notification dispatchers (a worker starts one beside it)."""
    from workers.main import serve_dispatchers

    asyncio.run(serve_dispatchers(Settings(), parent))


@app.command()
def api(
    fd: Annotated[
        int | None,
        typer.Option(
            help="serve on this inherited listening socket, shared with other API processes"
            " (`ketenregie up --apis`), instead of binding api_host:api_port"
        ),
    ] = None,
) -> None:
    """Serve the HTTP API."""
    import uvicorn

    from api.app import create_app
    from infra import heap, telemetry
    from ketenregie.stack import proxy_options

    settings = Settings()
    telemetry.setup(settings, "api")
    app = create_app(settings)
    heap.settle()
    options = proxy_options(settings.forwarded_allow_ips)
    if fd is None:
        uvicorn.run(app, host=settings.api_host, port=settings.api_port, log_config=None, **options)
        return
    # uvicorn's own `fd=` takes the socket for a Unix one; this one is TCP
    config = uvicorn.Config(app, log_config=None, **options)
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)])


@app.command()
def deadlines(
    ctx: typer.Context,
    rule: Annotated[str | None, typer.Argument(help="the rule; --list names them all")] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from", help="ISO 8601 time with its offset, e.g. 2026-10-20T20:00:00+02:00"
        ),
    ] = None,
    list_rules: Annotated[bool, typer.Option("--list", help="name every rule")] = False,
) -> None:
    """Every date a legal rule yields, as JSON, computed by the code the workflows use."""
    # the release's catalogue, or the one the command is run with (`obj`: a test's own)
    catalogue: Catalogue = ctx.obj or CATALOGUE
    if list_rules:
        typer.echo(json.dumps(sorted(catalogue.calculator)))
        return
    if rule is None or start is None:
        raise typer.BadParameter("give a RULE and --from, or --list")
    try:
        moment = datetime.fromisoformat(start)
        policy = Policy.build(working_days=Settings().working_days)  # real periods, unscaled
        dates = catalogue.calculate(rule, moment, policy)
    except UnknownRule as e:
        raise typer.BadParameter(str(e), param_hint="RULE") from None
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--from") from None
    rows = [
        {"key": d.key, "due_at": d.due_at.astimezone(AMSTERDAM).isoformat(), "article": d.article}
        for d in dates
    ]
    typer.echo(json.dumps({"rule": rule, "from": moment.isoformat(), "dates": rows}, indent=2))


@app.command()
def reconcile(
    repair: Annotated[
        bool, typer.Option(help="remove the left-overs, republish missing rows")
    ] = False,
    after_restore: Annotated[
        bool,
        typer.Option(
            help="Postgres was restored from an older backup: rebuild every row a workflow is"
            " ahead of, stop the workflows of cases whose data key was lost"
        ),
    ] = False,
) -> None:
    """Report (and with --repair mend) huisverboden in the read model without a workflow,
    request files whose workflow never started, and workflows whose row is missing; with
    --after-restore, every case, huisverbod and path whose workflow is ahead of the database.
    What must be entered again is then on the page /herstel (for the region's coordinator)."""
    from activities.reconcile import ReconcileActivities
    from infra.case_keys import PostgresKeyStore
    from infra.client import connect
    from store.db import create_pool

    async def main(dsn: str) -> str:
        settings = Settings()
        pool = await create_pool(dsn)
        try:
            client = await connect(settings, PostgresKeyStore(pool, settings.keyring))
            check = ReconcileActivities(pool, client, CATALOGUE)
            if after_restore:
                report = await check.after_restore(repair)
            else:
                report = await check.reconcile(repair)
        finally:
            await pool.close()
        return report.model_dump_json(indent=2)

    with _database() as dsn:
        typer.echo(asyncio.run(main(dsn)))


@contextlib.contextmanager
def _database():
    """The DSN of the configured database, or of the embedded one (started for the while)."""
    settings = Settings()
    if settings.database_url is not None:
        yield settings.database_url
        return
    from ketenregie.stack import embedded_postgres

    dsn, server = embedded_postgres(settings.data_dir.resolve() / "pg")
    try:
        yield dsn
    finally:
        server.cleanup()


def _listening(address: str) -> bool:
    host, _, port = address.rpartition(":")
    with contextlib.suppress(OSError), socket.create_connection((host, int(port)), 0.5):
        return True
    return False


zgw = typer.Typer(help="the huisverboden in the municipalities' zaaksystemen (ZGW APIs)")
app.add_typer(zgw, name="zgw")


@zgw.command()
def refile(
    huisverbod_id: Annotated[
        str | None, typer.Argument(help="the ban; without it every ban whose filing failed")
    ] = None,
) -> None:
    """File the failed events of a ban (or of every ban) in its zaaksysteem again, once the
    configuration is fixed: the region's dispatcher sends them now, with fresh attempts."""
    from infra.case_keys import PostgresKeyStore
    from infra.client import connect, signal_dispatcher
    from store import zaaksysteem
    from store.db import create_pool

    async def main(dsn: str) -> dict[str, str]:
        settings = Settings()
        pool = await create_pool(dsn)
        try:
            async with pool.acquire() as conn:
                filed_again = await zaaksysteem.refile(conn, huisverbod_id)
            client = await connect(settings, PostgresKeyStore(pool, settings.keyring))
            for region in sorted(set(filed_again.values())):
                delivery = settings.policy.delivery
                await signal_dispatcher(client, settings.task_queue, region, delivery)
        finally:
            await pool.close()
        return filed_again

    with _database() as dsn:
        filed_again = asyncio.run(main(dsn))
    typer.echo(json.dumps({"filed_again": sorted(filed_again)}, indent=2))


@zgw.command()
def check(
    municipality: Annotated[str, typer.Argument(help="the municipality's CBS code, e.g. GM0358")],
) -> None:
    """Read the catalogue the chain file names for the municipality's zaaksysteem (Catalogi
    API, ketenregie's client) and say in Dutch what is missing; exit 1 when something is."""
    from activities.zaaksysteem import check_catalogue

    settings = Settings()
    offices = [
        (p.id, p.zaaksysteem)
        for r in settings.chain.regions
        for p in r.partners
        if p.municipality == municipality and p.zaaksysteem is not None
    ]
    if not offices:
        raise typer.BadParameter(
            f"voor gemeente {municipality} is geen zaaksysteem ingesteld", param_hint="MUNICIPALITY"
        )
    missing = []
    for office, cfg in offices:
        found = asyncio.run(check_catalogue(cfg, settings.zgw_secret(office)))
        missing += [f"{office}: {problem}" for problem in found]
    for line in missing or [f"de catalogus van {municipality} is in orde"]:
        typer.echo(line)
    raise typer.Exit(1 if missing else 0)


@app.command()
def backup(
    to: Annotated[
        Path | None, typer.Option(help="directory to write; default data_dir/backups/<time>")
    ] = None,
) -> None:
    """A consistent copy of the local stack, also while it runs: the case file and read model
    (pg_dump), then the Temporal dev server's SQLite (SQLite's online backup), so that Temporal
    is never behind Postgres in it."""
    from ketenregie.backup import POSTGRES_DUMP, TEMPORAL_COPY, copy_sqlite, dump_postgres

    data = Settings().data_dir.resolve()
    target = to or data / "backups" / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target.mkdir(parents=True, exist_ok=False)
    with _database() as dsn:
        dump_postgres(dsn, target / POSTGRES_DUMP)
    if (data / "temporal.sqlite").exists():
        copy_sqlite(data / "temporal.sqlite", target / TEMPORAL_COPY)
    typer.echo(f"backup in {target}")


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="a directory `ketenregie backup` wrote")],
    postgres_only: Annotated[
        bool, typer.Option(help="put back Postgres alone; Temporal stays as it is")
    ] = False,
) -> None:
    """Put a backup back, with the stack stopped. Afterwards start it and run `ketenregie
    reconcile --after-restore --repair`: Temporal may be ahead of the restored database."""
    from ketenregie.backup import POSTGRES_DUMP, TEMPORAL_COPY, restore_postgres, restore_sqlite

    settings = Settings()
    running = []
    if _listening(f"{settings.api_host}:{settings.api_port}"):
        running.append(f"the API ({settings.api_host}:{settings.api_port})")
    if not postgres_only and _listening(settings.temporal_address):
        running.append(f"the Temporal server ({settings.temporal_address})")
    if running:
        raise typer.BadParameter(f"stop `ketenregie up` first: {', '.join(running)} still runs")
    if not (source / POSTGRES_DUMP).exists():
        raise typer.BadParameter(f"no {POSTGRES_DUMP} in {source}", param_hint="SOURCE")
    with _database() as dsn:
        restore_postgres(dsn, source / POSTGRES_DUMP)
    if not postgres_only and (source / TEMPORAL_COPY).exists():
        restore_sqlite(source / TEMPORAL_COPY, settings.data_dir.resolve() / "temporal.sqlite")
    typer.echo(
        f"restored {'Postgres' if postgres_only else 'Postgres and Temporal'} from {source}; "
        "start the stack and run `ketenregie reconcile --after-restore --repair`"
    )


if __name__ == "__main__":
    app()
