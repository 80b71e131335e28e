"""The real parts: embedded Postgres, the Temporal CLI dev server, an in-process worker and the API.

Durations are the legal ones scaled so that one day lasts half a second.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from playwright.async_api import async_playwright

from api.app import create_app
from api.auth import mint_token
from infra import telemetry
from infra.case_keys import PostgresKeyStore
from infra.client import connect
from infra.settings import Settings
from ketenregie.stack import TemporalDevServer, embedded_postgres, free_port
from store.db import create_pool
from testing.background import BackgroundServer
from testing.partners import MailSink, WebhookReceiver, partner_chain
from tests.zgw.fake import with_zaaksysteem
from workers.main import build_dispatch_worker, build_worker
from workflows.given import Procedures
from workflows.registry import RELEASE

DAY_SECONDS = 0.5
# the one mayor's office whose decisions go to a zaaksysteem here (tests/zgw/fake.py; only
# tests/integration/test_zaaksysteem.py makes huisverboden in its municipality, Aalsmeer)
ZAAKSYSTEEM_OFFICE = "burgemeester-gm0358"
TIME_SCALE = DAY_SECONDS / 86400


@pytest.fixture(scope="session")
def workdir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="ketenregie-it-"))
    path.chmod(0o755)  # the embedded Postgres runs as its own user when tests run as root
    return path


@pytest.fixture(scope="session")
def database_url(workdir: Path):
    if url := os.environ.get("KETENREGIE_TEST_DATABASE_URL"):
        yield url
        return
    dsn, server = embedded_postgres(workdir / "pg")
    yield dsn
    server.cleanup()


@pytest.fixture(scope="session")
def temporal(workdir: Path):
    server = TemporalDevServer(
        workdir / "temporal.sqlite", free_port(), None, workdir / "temporal.log"
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def spans() -> InMemorySpanExporter:
    """Every span of the session's API and worker, in memory."""
    exporter = InMemorySpanExporter()
    telemetry.setup(Settings(), "tests", exporter)
    return exporter


@pytest.fixture(scope="session")
def settings(workdir: Path, database_url: str, temporal: TemporalDevServer, spans) -> Settings:
    sink_port = free_port()
    chain = with_zaaksysteem(
        partner_chain(workdir / "chain.yaml", sink_port),
        ZAAKSYSTEEM_OFFICE,
        f"http://127.0.0.1:{free_port()}",
    )
    return Settings(
        data_dir=workdir,
        database_url=database_url,
        temporal_address=temporal.address,
        task_queue=f"it-{uuid.uuid4().hex[:8]}",
        time_scale=TIME_SCALE,
        decision_window_hours=96,  # four scaled days: two seconds
        chain_file=chain,
        smtp_port=free_port(),
        sink_port=sink_port,
        mda_reviews_per_run=2,  # MDA++ continues as new after every two reviews
        delivery_attempts=5,
        delivery_first_retry_seconds=0.5,
        delivery_max_retry_seconds=2,
        delivery_timeout_seconds=5,
        # the tests reuse a few families everywhere, so the radar's repeat rule would flag
        # most meldingen and add a notice; here it needs more meldingen than any test makes,
        # test_radar runs the default rule on an app of its own
        repeat_meldingen=1000,
        repeat_during_huisverbod=False,
        secure_cookies=False,  # the pages over plain HTTP
        dev_sign_in=True,  # the pages' tests sign in by picking an organisation and role
        # the suite signs in the same few accounts from one address time and again;
        # test_web_surface checks the limit on an app of its own
        sign_ins_per_minute=1000,
        sign_ins_per_minute_per_address=1000,
    )


@pytest_asyncio.fixture(scope="session")
async def mail(settings: Settings):
    """A real SMTP server that keeps every message (aiosmtpd)."""
    sink = MailSink(settings.smtp_host, settings.smtp_port)
    sink.start()
    yield sink
    sink.stop()


@pytest_asyncio.fixture(scope="session")
async def hooks(settings: Settings, mail: MailSink):
    """A real webhook receiver that checks signatures and counts what it receives."""
    receiver = WebhookReceiver(settings.smtp_host, settings.sink_port, settings.webhook_secret)
    await receiver.start()
    yield receiver
    await receiver.stop()


class WorkerRunner:
    """A real worker in this process that a test can stop and start again."""

    def __init__(self, settings: Settings, procedures: Procedures = RELEASE) -> None:
        self.settings = settings
        self._procedures = procedures  # the release's, or a test's own
        self._task: asyncio.Task | None = None
        self._workers: list = []

    async def start(self) -> None:
        self._pool = await create_pool(self.settings.database_url)
        self._keys_pool = await create_pool(self.settings.database_url, max_size=4)
        case_keys = PostgresKeyStore(self._keys_pool, self.settings.keyring)
        self.client = await connect(self.settings, case_keys)
        self._workers = [
            build_worker(
                self.client, self._pool, self.settings, case_keys, procedures=self._procedures
            ),
            build_dispatch_worker(
                self.client, self._pool, self.settings, catalogue=self._procedures.catalogue
            ),
        ]
        self._task = asyncio.gather(*(w.run() for w in self._workers))

    async def stop(self) -> None:
        for w in self._workers:
            await w.shutdown()
        await self._task
        await self._pool.close()
        await self._keys_pool.close()


@pytest_asyncio.fixture(scope="session")
async def worker(settings: Settings, mail, hooks):
    runner = WorkerRunner(settings)
    await runner.start()
    yield runner
    await runner.stop()


@pytest_asyncio.fixture(scope="session")
async def app(settings: Settings, worker):
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture(scope="session")
async def site(app):
    """The session's app served over HTTP (browsers, schemathesis); its base URL."""
    server = BackgroundServer(app, "127.0.0.1", free_port(), lifespan="off")
    await server.start()
    yield server.url
    await server.stop()


@pytest_asyncio.fixture(scope="session")
async def as_(app, settings):
    """A factory of API clients that carry a token of the given organisation and role."""
    clients = []

    def client_for(org: str, role: str) -> httpx.AsyncClient:
        token = mint_token(settings, org=org, role=role)
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://ketenregie.test",
            headers={"authorization": f"Bearer {token}"},
        )
        clients.append(client)
        return client

    yield client_for
    for client in clients:
        await client.aclose()


@pytest.fixture(scope="session")
def api(as_) -> httpx.AsyncClient:
    """A Veilig Thuis coordinator of region Haaglanden."""
    return as_("vt-haaglanden", "coordinator")


@pytest.fixture(scope="session")
def police(as_) -> httpx.AsyncClient:
    """A hulpofficier van justitie of the police in Haaglanden."""
    return as_("politie-den-haag", "hulpofficier")


@pytest.fixture(scope="session")
def mayor(as_) -> httpx.AsyncClient:
    """The mayor's office of The Hague (GM0518)."""
    return as_("burgemeester-gm0518", "staff")


@pytest.fixture(scope="session")
def jurist(as_) -> httpx.AsyncClient:
    """The jurist of the mayor's office of The Hague, who records the court's acts."""
    return as_("burgemeester-gm0518", "jurist")


async def eventually(probe, timeout: float = 180.0, interval: float = 0.2):
    """Await `probe()` until it returns something truthy; fail after `timeout` seconds: long,
    because a condition that holds is met at once and the machine may be busy with other work
    (the timeout only ends a test that fails)."""
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last result: {result!r}")
        await asyncio.sleep(interval)


@pytest_asyncio.fixture(scope="session")
async def browser():
    """Debian's Chromium driven by Playwright."""
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is missing: `./run test` installs it (apt-get)"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        await browser.close()
