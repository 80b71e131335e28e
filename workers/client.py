"""The one way every process (API, worker, tests, bench) connects to Temporal: pydantic
payloads, encrypted by the codec, failures with their message and stack encrypted too."""

from __future__ import annotations

import dataclasses

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes

from ketenregie.settings import Settings
from workers.codec import EncryptionCodec, Keyring, KeyStore


def data_converter(keyring: Keyring, case_keys: KeyStore | None) -> DataConverter:
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(keyring, case_keys),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect(settings: Settings, case_keys: KeyStore) -> Client:
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings.keyring, case_keys),
    )
