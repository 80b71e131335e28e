"""AES-GCM payload encryption for everything the clients and workers send to Temporal.

The workflow id says which case a payload belongs to (`domain.ids`); such payloads are
encrypted with the case's own data key (see `infra.case_keys`), so destroying that key
makes the case's histories unreadable.

The master keyring (`infra.keys`) encrypts with its current key and decrypts with any
key it holds, so keys rotate without rewriting history; the key id travels in the payload
metadata (and is bound to the ciphertext as associated data). A payload under a key the ring
does not hold fails closed.

A workflow accepts only what was sealed for it: in a workflow's context a payload that is not
sealed (anyone who reaches Temporal can send plain JSON), or, for a case's workflow, not sealed
with that case's key, is decoded to an `UNSEALED` marker that no converter turns into a value
(`UnsealedPayloadConverter`). An update with such an argument is rejected before its validator,
a signal is dropped (and logged by the SDK), a query fails; the workflow task itself never
fails, so the workflow goes on as if nothing came.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Protocol, Self

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import PydanticPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    EncodingPayloadConverter,
    PayloadCodec,
    SerializationContext,
    WithSerializationContext,
)
from temporalio.exceptions import ApplicationError

from domain.catalogue import CATALOGUE
from domain.ids import case_of_workflow
from infra.keys import Keyring, UnknownKeyError

ENCODING = b"binary/encrypted"
# the workflows sealed with their case's key: every child's id names the case (the prefixes
# are fixed by the histories that run, so the release's catalogue's)
CASE_SCOPED = CATALOGUE.case_scoped()
KEY_ID = "encryption-key-id"
UNSEALED = b"binary/unsealed"  # stands in for a payload its workflow must not take
UNSEALED_TYPE = "UnsealedPayload"


class KeyStore(Protocol):
    async def get(self, case_id: str) -> bytes | None: ...
    async def get_or_create(self, case_id: str) -> bytes: ...


CASE_KEY_PREFIX = "case:"


def sealed_with(payload: Payload) -> str | None:
    """The id of the key a payload is sealed with; None when it is not sealed."""
    if payload.metadata.get("encoding") != ENCODING:
        return None
    return payload.metadata.get(KEY_ID, b"").decode()


def case_of_key(kid: str) -> str | None:
    """The case whose data key `kid` names; None for a master key."""
    return kid.removeprefix(CASE_KEY_PREFIX) if kid.startswith(CASE_KEY_PREFIX) else None


class EncryptionCodec(PayloadCodec, WithSerializationContext):
    """Encrypts with the case's own data key when the payload belongs to a case's workflow
    (known from the serialization context), otherwise with the master keyring."""

    def __init__(
        self,
        keyring: Keyring,
        case_keys: KeyStore | None = None,
        case_id: str | None = None,
        workflow_id: str | None = None,
    ) -> None:
        self._keyring, self._case_keys, self._case_id = keyring, case_keys, case_id
        self._workflow_id = workflow_id

    def with_context(self, context: SerializationContext) -> Self:
        workflow_id = getattr(context, "workflow_id", None)
        case_id = (
            case_of_workflow(workflow_id, CASE_SCOPED) if workflow_id and self._case_keys else None
        )
        return type(self)(self._keyring, self._case_keys, case_id, workflow_id)

    def _sealed_for_this_workflow(self, p: Payload) -> bool:
        """Without a workflow (the codec endpoint, a context-free call) anything may pass;
        a workflow takes only sealed payloads, a case's workflow only its case's key."""
        if self._workflow_id is None:
            return True
        if p.metadata.get("encoding") != ENCODING:
            return False
        if self._case_id is None:
            return True
        return p.metadata.get(KEY_ID) == (CASE_KEY_PREFIX + self._case_id).encode()

    async def _cipher_for_encode(self) -> tuple[str, AESGCM]:
        if self._case_id and self._case_keys:
            return CASE_KEY_PREFIX + self._case_id, AESGCM(
                await self._case_keys.get_or_create(self._case_id)
            )
        return self._keyring.current, self._keyring.cipher(self._keyring.current)

    async def _cipher_for_decode(self, kid: str) -> AESGCM:
        if kid.startswith(CASE_KEY_PREFIX):
            key = (
                await self._case_keys.get(kid.removeprefix(CASE_KEY_PREFIX))
                if self._case_keys
                else None
            )
            if key is None:
                raise UnknownKeyError(
                    f"no data key for {kid}: the case was destroyed or is unknown here"
                )
            return AESGCM(key)
        return self._keyring.cipher(kid)

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        kid, cipher = await self._cipher_for_encode()
        out = []
        for p in payloads:
            nonce = secrets.token_bytes(12)
            sealed = cipher.encrypt(nonce, p.SerializeToString(), kid.encode())
            out.append(
                Payload(metadata={"encoding": ENCODING, KEY_ID: kid.encode()}, data=nonce + sealed)
            )
        return out

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        out = []
        for p in payloads:
            if not self._sealed_for_this_workflow(p):
                out.append(Payload(metadata={"encoding": UNSEALED}))  # its content is dropped
                continue
            if p.metadata.get("encoding") != ENCODING:
                out.append(p)  # not ours to decrypt (e.g. written by the server itself)
                continue
            kid = p.metadata.get(KEY_ID, b"").decode()
            cipher = await self._cipher_for_decode(kid)
            decoded = Payload()
            decoded.ParseFromString(cipher.decrypt(p.data[:12], p.data[12:], kid.encode()))
            out.append(decoded)
        return out


class UnsealedConverter(EncodingPayloadConverter):
    """Refuses the `UNSEALED` marker with a reason: a workflow update is rejected with it."""

    @property
    def encoding(self) -> str:
        return UNSEALED.decode()

    def to_payload(self, value: object) -> Payload | None:
        return None  # never made from a value

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> object:
        raise ApplicationError(
            "refused: the payload is not encrypted with the key of this workflow's case; "
            "commands go through the ketenregie API",
            type=UNSEALED_TYPE,
            non_retryable=True,
        )


# made once: the SDK makes a payload converter for every workflow activation and for every
# context a payload is sent in (a local activity's input, a signal); pydantic's converter made
# anew each time cost a twentieth of a reminder's CPU, and each lost its type adapters' cache
CONVERTERS = (*PydanticPayloadConverter().converters.values(), UnsealedConverter())


class PayloadConverter(CompositePayloadConverter):
    """pydantic payloads, and the refusal of unsealed ones."""

    def __init__(self) -> None:
        super().__init__(*CONVERTERS)
