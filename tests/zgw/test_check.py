"""`ketenregie zgw check GM0358` reads the municipality's catalogue and names each mistake a
municipality can make in setting it up (planted in the test double's Catalogi API)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from infra.settings import SAMPLE_CHAIN
from ketenregie.cli import app
from testing.background import BackgroundServer
from tests.zgw.fake import FakeZaaksysteem, with_zaaksysteem

SECRET = "z" * 32
OFFICE = "burgemeester-gm0358"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path, monkeypatch):
    """The fake served on a port of its own, and a chain file pointing Aalsmeer at it."""
    port = _free_port()
    fake = FakeZaaksysteem(SECRET.encode())
    fake.base_url = f"http://127.0.0.1:{port}"
    chain = tmp_path / "chain.yaml"
    chain.write_text(SAMPLE_CHAIN.read_text(encoding="utf-8"), encoding="utf-8")
    with_zaaksysteem(chain, OFFICE, fake.base_url)
    monkeypatch.setenv("KETENREGIE_CHAIN_FILE", str(chain))
    monkeypatch.setenv("KETENREGIE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KETENREGIE_ZGW_SECRETS", json.dumps({OFFICE: SECRET}))
    loop = asyncio.new_event_loop()  # in a thread of its own: the command runs its own loop
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = BackgroundServer(fake.app, "127.0.0.1", port, lifespan="off")
    asyncio.run_coroutine_threadsafe(server.start(), loop).result()
    yield fake
    asyncio.run_coroutine_threadsafe(server.stop(), loop).result()
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()


def check() -> tuple[int, str]:
    result = CliRunner().invoke(app, ["zgw", "check", "GM0358"])
    return result.exit_code, result.stdout  # logs go to stderr


def path(url: str) -> str:
    return urlsplit(url).path


def test_the_check_names_each_planted_catalogue_mistake(served):
    fake = served
    cfg = fake.config()
    assert check() == (0, "de catalogus van GM0358 is in orde\n")

    fake.planted[path(cfg["besluittypen"]["verlenging"])] = None
    fake.planted[path(cfg["informatieobjecttype"])] = {"concept": True}
    fake.related_documenttypes.clear()
    fake.planted[path(cfg["statustypen"]["opgelegd"])] = {"volgnummer": 9}
    fake.unarchived.add(path(cfg["resultaattypen"]["ingetrokken"]))
    zaaktype = fake.config()["besluittypen"]
    fake.planted[path(cfg["zaaktype"])] = {"besluittypen": [zaaktype["oplegging"]]}
    code, told = check()
    assert code == 1
    for finding in (
        "het besluittype verlenging bestaat niet in de catalogus",
        "het documenttype is niet gepubliceerd",
        "het documenttype hoort niet bij het zaaktype",
        "de statustypen staan niet in de volgorde van het huisverbod",
        "het resultaattype ingetrokken heeft geen archiefinstellingen",
        "het besluittype afwijzing staat niet bij het zaaktype",
    ):
        assert f"{OFFICE}: {finding}" in told, told
