"""The one way every process (API, worker, tests, bench) connects to Temporal: pydantic
payloads, encrypted by the codec, failures with their message and stack encrypted too."""

from __future__ import annotations

import dataclasses

from temporalio.client import Client
from temporalio.common import SearchAttributeKey
from temporalio.contrib.opentelemetry import OpenTelemetryPlugin
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError, RPCStatusCode

from domain.ids import DISPATCH_WAKE, DISPATCH_WORKFLOW, dispatch_queue, dispatch_workflow_id
from domain.models import DispatchInput
from domain.policy import DeliveryPolicy
from infra.codec import EncryptionCodec, KeyStore, PayloadConverter
from infra.keys import Keyring
from infra.settings import Settings

# A case workflow's region, in plain beside it (a search attribute is not a payload: the codec
# never sees it): the one thing about a case that outlives its data key, so the list of cases
# lost in a restore goes to their own region's coordinator only. A region's slug is no
# personal data. Registered on the dev server (`ketenregie.stack`); in production by the
# operator (`temporal operator search-attribute create --name KetenregieRegion --type Keyword`).
REGION = SearchAttributeKey.for_keyword("KetenregieRegion")


def data_converter(keyring: Keyring, case_keys: KeyStore | None) -> DataConverter:
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=PayloadConverter,
        payload_codec=EncryptionCodec(keyring, case_keys),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect(
    settings: Settings, case_keys: KeyStore, runtime: Runtime | None = None, lazy: bool = False
) -> Client:
    """A client whose calls join the current trace (and workers built on it trace too),
    over mTLS when the settings give a client certificate. A lazy one reaches Temporal at its
    first call (and tries again at the next while that fails: `not_reached`)."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        tls=settings.temporal_tls,
        data_converter=data_converter(settings.keyring, case_keys),
        plugins=[OpenTelemetryPlugin(add_temporal_spans=True)],
        runtime=runtime,
        lazy=lazy,
    )


def not_reached(error: Exception) -> bool:
    """Whether a call failed because Temporal cannot be reached: an RPC error, or a lazy
    client's connection that failed (the SDK raises that as a RuntimeError of its own)."""
    if isinstance(error, RPCError):
        return True
    return isinstance(error, RuntimeError) and str(error).startswith("Failed client connect")


def metrics_runtime(address: str) -> Runtime:
    """A Temporal runtime that serves the SDK's (and workflows' own) metrics for Prometheus."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))


async def terminate(client: Client, workflow_ids: list[str], reason: str) -> int:
    """Stop these workflows (one already gone is fine); answers how many were stopped."""
    stopped = 0
    for workflow_id in workflow_ids:
        try:
            await client.get_workflow_handle(workflow_id).terminate(reason=reason)
            stopped += 1
        except RPCError as e:
            if e.status != RPCStatusCode.NOT_FOUND:
                raise
    return stopped


async def signal_dispatcher(
    client: Client, task_queue: str, region: str, delivery: DeliveryPolicy
) -> None:
    """Wake the region's dispatcher of the outbox of the workers on `task_queue`, starting it on
    the dispatchers' own queue when it does not run (signal-with-start: one call either way)."""
    await client.start_workflow(
        DISPATCH_WORKFLOW,
        DispatchInput(region=region, delivery=delivery),
        id=dispatch_workflow_id(task_queue, region),
        task_queue=dispatch_queue(task_queue),
        start_signal=DISPATCH_WAKE,
    )
