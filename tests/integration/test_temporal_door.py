"""Temporal's door: a command sent to Temporal past the API (the CLI, a client without our
codec, or the Temporal UI's encode) is refused by the workflow, and the workflow goes on."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError, WorkflowUpdateFailedError
from temporalio.common import RawValue
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.service import TLSConfig

from domain.huisverbod import huisverbod_workflow_id
from domain.ids import case_workflow_id
from infra.case_keys import MemoryKeyStore, PostgresKeyStore
from infra.client import connect
from infra.codec import UNSEALED_TYPE, EncryptionCodec
from store.db import create_pool
from tests.integration.conftest import eventually
from tests.integration.flows import impose, open_case, request_huisverbod

pytestmark = pytest.mark.integration


async def unsealed(value, settings, other_case: str) -> dict[str, RawValue]:
    """`value` as an outsider can send it past the API: plain JSON (`temporal workflow update
    --input`), sealed with the master key only (what the Temporal UI's encode would give), or
    sealed with another case's key (copied from that case's history)."""
    (plain,) = pydantic_data_converter.payload_converter.to_payloads([value])
    pool = await create_pool(settings.database_url, max_size=1)
    try:
        other = EncryptionCodec(
            settings.keyring, PostgresKeyStore(pool, settings.keyring), other_case
        )
        (other_key,) = await other.encode([plain])
    finally:
        await pool.close()
    (master_key,) = await EncryptionCodec(settings.keyring).encode([plain])
    return {
        "plaintext": RawValue(plain),
        "master key": RawValue(master_key),
        "another case's key": RawValue(other_key),
    }


async def failed_workflow_tasks(client: Client, workflow_id: str) -> list:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    failed = EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    return [e for e in history.events if e.event_type == failed]


async def test_an_unsealed_withdrawal_is_rejected_and_the_ban_runs_on(
    api, police, temporal, settings
):
    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id)
    await impose(police, hv)
    withdrawal = {
        "reason": "ingetrokken buiten ketenregie om",
        "decided_by": {"name": "J. Burgemeester", "capacity": "mayor"},
        "at": datetime.now(UTC).isoformat(),
    }
    raw = await Client.connect(temporal.address)  # like the CLI: no codec
    handle = raw.get_workflow_handle(huisverbod_workflow_id(case_id, hv))
    for name, arg in (await unsealed(withdrawal, settings, await open_case(api))).items():
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update("withdraw", arg)
        assert isinstance(refused.value.cause, ApplicationError), name
        assert refused.value.cause.type == UNSEALED_TYPE, name

    assert (await api.get(f"/v1/huisverboden/{hv}")).json()["status"] == "imposed"
    r = await police.post(f"/v1/huisverboden/{hv}/violations", json={})  # not wedged
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "imposed" and r.json()["violations"]
    assert await failed_workflow_tasks(raw, huisverbod_workflow_id(case_id, hv)) == []


async def test_an_unsealed_signal_changes_nothing(api, temporal, settings, worker):
    case_id = await open_case(api)
    raw = await Client.connect(temporal.address)
    handle = raw.get_workflow_handle(case_workflow_id(case_id))
    for arg in (await unsealed("ingefluisterd", settings, await open_case(api))).values():
        await handle.signal("notification_failed", arg)
    # the same signal sealed for the case (as the worker's activities send it) is taken, and
    # it comes after the others
    own = worker.client.get_workflow_handle(case_workflow_id(case_id))
    await own.signal("notification_failed", "echt mislukt")

    async def timeline() -> list[dict] | None:
        events = (await api.get(f"/v1/cases/{case_id}")).json()["timeline"]
        return events if any("echt mislukt" in str(e) for e in events) else None

    events = await eventually(timeline)
    assert not any("ingefluisterd" in str(e) for e in events)
    assert await failed_workflow_tasks(raw, case_workflow_id(case_id)) == []


async def test_an_unsealed_start_fails_that_workflow_not_its_tasks(api, temporal, settings):
    """A ban started past the API (its input plain JSON) never runs: it fails at once,
    without a workflow task failing over and over."""
    case_id = await open_case(api)
    raw = await Client.connect(temporal.address)
    workflow_id = huisverbod_workflow_id(case_id, "buiten-ketenregie-om")
    handle = await raw.start_workflow(
        "HuisverbodWorkflow",
        {"case_id": case_id, "huisverbod_id": "buiten-ketenregie-om"},
        id=workflow_id,
        task_queue=settings.task_queue,
    )
    ended = EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED
    task_failed = EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED

    async def failed_or_stuck() -> list:
        events = (await handle.fetch_history()).events
        return [e.event_type for e in events if e.event_type in (ended, task_failed)]

    assert await eventually(failed_or_stuck) == [ended]
    with pytest.raises(WorkflowFailureError) as failed:
        await handle.result()
    assert failed.value.cause.type == UNSEALED_TYPE


def issue(name: str, issuer: tuple | None = None, server: bool = False) -> tuple:
    """A certificate (CA when no issuer) and its key, as PEM bytes."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    signer_cert, signer_key = issuer or (None, key)
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(signer_cert.subject if signer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False
        )
    cert = builder.sign(signer_key, hashes.SHA256())
    return cert, key


def pem(cert, key=None) -> bytes:
    if key is None:
        return cert.public_bytes(serialization.Encoding.PEM)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@contextlib.asynccontextmanager
async def mtls_frontend(upstream: str, files: dict[str, Path]):
    """What the Helm values give Temporal's frontend (the dev server has no TLS of its own):
    TLS with HTTP/2 that requires a client certificate of our CA, in front of the dev
    server's plaintext gRPC port. Its address."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=files["ca"])
    context.load_cert_chain(files["server"], files["server key"])
    context.verify_mode = ssl.CERT_REQUIRED
    context.set_alpn_protocols(["h2"])
    host, port = upstream.rsplit(":", 1)

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    server = await asyncio.start_server(forward, "127.0.0.1", 0, ssl=context)
    try:
        yield f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()


async def test_mtls_to_temporal_admits_our_certificate_only(temporal, settings, tmp_path):
    ca = issue("ketenregie test CA")
    made = {
        "ca": ca,
        "server": issue("temporal-frontend.test", ca, server=True),
        "client": issue("ketenregie-api", ca),
        "stranger": issue("ketenregie-api"),  # the same name, from a CA of its own
    }
    files = {}
    for name, (cert, key) in made.items():
        files[name] = tmp_path / f"{name}.pem"
        files[name].write_bytes(pem(cert))
        files[f"{name} key"] = tmp_path / f"{name}.key"
        files[f"{name} key"].write_bytes(pem(cert, key))
    async with mtls_frontend(temporal.address, files) as address:
        ours = settings.model_copy(
            update={
                "temporal_address": address,
                "temporal_tls_ca": files["ca"],
                "temporal_tls_cert": files["client"],
                "temporal_tls_key": files["client key"],
                "temporal_tls_server_name": "temporal-frontend.test",
            }
        )
        client = await connect(ours, MemoryKeyStore())
        assert await client.service_client.check_health()
        ca_only = TLSConfig(server_root_ca_cert=pem(ca[0]), domain="temporal-frontend.test")
        stranger = dataclasses.replace(
            ca_only,
            client_cert=pem(made["stranger"][0]),
            client_private_key=pem(*made["stranger"]),
        )
        for refused in (False, ca_only, stranger):
            with pytest.raises(RuntimeError, match="Failed client connect"):
                await Client.connect(address, tls=refused)
