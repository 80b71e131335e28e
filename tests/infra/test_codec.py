"""The payload codec: nothing readable leaves, keys rotate, an unknown or tampered key fails closed."""

import os

import pytest
from cryptography.exceptions import InvalidTag
from temporalio.api.common.v1 import Payload
from temporalio.converter import WorkflowSerializationContext
from temporalio.exceptions import ApplicationError

from infra.case_keys import MemoryKeyStore
from infra.codec import UNSEALED, EncryptionCodec, PayloadConverter
from infra.keys import Keyring, UnknownKeyError

OLD, NEW = os.urandom(32), os.urandom(32)
SECRET = b'{"name": "Canary Jansen", "address": "Kanariestraat 1"}'


def payload(data: bytes = SECRET) -> Payload:
    return Payload(metadata={"encoding": b"json/plain"}, data=data)


async def test_encoded_payload_hides_the_data_and_names_its_key():
    (sealed,) = await EncryptionCodec(Keyring({"k1": OLD}, "k1")).encode([payload()])
    assert b"Canary" not in sealed.SerializeToString()
    assert sealed.metadata["encryption-key-id"] == b"k1"
    (opened,) = await EncryptionCodec(Keyring({"k1": OLD}, "k1")).decode([sealed])
    assert opened == payload()


async def test_rotation_encrypts_with_the_new_key_and_still_reads_the_old():
    (old_payload,) = await EncryptionCodec(Keyring({"k1": OLD}, "k1")).encode([payload()])
    rotated = EncryptionCodec(Keyring({"k1": OLD, "k2": NEW}, "k2"))
    (new_payload,) = await rotated.encode([payload()])
    assert new_payload.metadata["encryption-key-id"] == b"k2"
    assert await rotated.decode([old_payload, new_payload]) == [payload(), payload()]


async def test_unknown_key_fails_closed():
    (sealed,) = await EncryptionCodec(Keyring({"k1": OLD}, "k1")).encode([payload()])
    with pytest.raises(UnknownKeyError):
        await EncryptionCodec(Keyring({"k2": NEW}, "k2")).decode([sealed])


async def test_a_relabelled_or_altered_payload_is_rejected():
    ring = Keyring({"k1": OLD, "k2": NEW}, "k1")
    (sealed,) = await EncryptionCodec(ring).encode([payload()])
    relabelled = Payload(metadata={**sealed.metadata, "encryption-key-id": b"k2"}, data=sealed.data)
    altered = Payload(
        metadata=sealed.metadata, data=sealed.data[:-1] + bytes([sealed.data[-1] ^ 1])
    )
    for bad in (relabelled, altered):
        with pytest.raises(InvalidTag):
            await EncryptionCodec(ring).decode([bad])


def test_keyring_from_the_environment_and_from_a_dev_file(tmp_path):
    import base64

    spec = f"a:{base64.b64encode(OLD).decode()},b:{base64.b64encode(NEW).decode()}"
    assert Keyring.parse(spec, "b").current == "b"
    with pytest.raises(ValueError, match="current key"):
        Keyring.parse(spec, "c")
    first = Keyring.dev_file(tmp_path / "keys.json")
    assert Keyring.dev_file(tmp_path / "keys.json").current == first.current
    assert oct((tmp_path / "keys.json").stat().st_mode & 0o777) == "0o600"


async def test_a_workflow_takes_only_what_was_sealed_for_it():
    """Plain JSON, the master key or another case's key in a case's workflow become the
    unsealed marker, which no value comes from; outside a workflow (the codec endpoint)
    nothing changes."""
    ring, keys = Keyring({"k1": OLD}, "k1"), MemoryKeyStore()
    codec = EncryptionCodec(ring, keys)

    def in_workflow(workflow_id: str) -> EncryptionCodec:
        return codec.with_context(WorkflowSerializationContext("default", workflow_id))

    (own,) = await in_workflow("huisverbod-c1-h1").encode([payload()])
    (other_case,) = await in_workflow("case-c2").encode([payload()])
    (master,) = await codec.encode([payload()])
    decoded = await in_workflow("huisverbod-c1-h1").decode([own, payload(), master, other_case])
    assert decoded[0] == payload()
    assert [p.metadata["encoding"] for p in decoded[1:]] == [UNSEALED] * 3
    assert all(not p.data for p in decoded[1:])
    with pytest.raises(ApplicationError, match="not encrypted with the key of this workflow"):
        PayloadConverter().from_payloads(decoded[1:2])
    advice = in_workflow("advice-a1")  # no case: sealed with the master key
    assert (await advice.decode([master, payload()]))[0] == payload()
    assert (await advice.decode([payload()]))[0].metadata["encoding"] == UNSEALED
    assert await codec.decode([payload()]) == [payload()]
