"""AES-GCM payload encryption for everything the clients and workers send to Temporal.

The workflow id says which case a payload belongs to (`workflows.ids`); such payloads are
encrypted with the case's own data key (see `workers.case_keys`), so destroying that key
makes the case's histories unreadable.

A keyring encrypts with the current key and decrypts with any key it holds, so keys rotate
without rewriting history; the key id travels in the payload metadata (and is bound to the
ciphertext as associated data). A payload under a key the ring does not hold fails closed.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, Self

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec, SerializationContext, WithSerializationContext

from workflows.ids import case_of_workflow

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"


class UnknownKeyError(ValueError):
    """The payload was encrypted under a key this keyring does not hold."""


class Keyring:
    def __init__(self, keys: dict[str, bytes], current: str) -> None:
        if current not in keys:
            raise ValueError(f"the current key {current!r} is not in the keyring")
        if any(len(k) != 32 for k in keys.values()):
            raise ValueError("every key must be 32 bytes (AES-256)")
        self._ciphers = {kid: AESGCM(key) for kid, key in keys.items()}
        self.current = current

    def cipher(self, kid: str) -> AESGCM:
        try:
            return self._ciphers[kid]
        except KeyError:
            raise UnknownKeyError(f"no key {kid!r} in the keyring") from None

    @classmethod
    def parse(cls, spec: str, current: str) -> Keyring:
        """From "kid1:base64key,kid2:base64key" (e.g. an environment variable)."""
        pairs = (item.split(":", 1) for item in spec.split(",") if item.strip())
        return cls({kid.strip(): base64.b64decode(key) for kid, key in pairs}, current)

    @classmethod
    def dev_file(cls, path: Path) -> Keyring:
        """A keyring kept in a file of the data directory, created on first use (development)."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            kid = f"dev-{secrets.token_hex(4)}"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(
                    {
                        "current": kid,
                        "keys": {kid: base64.b64encode(AESGCM.generate_key(256)).decode()},
                    },
                    f,
                )
        data = json.loads(path.read_text())
        return cls({kid: base64.b64decode(k) for kid, k in data["keys"].items()}, data["current"])


class KeyStore(Protocol):
    async def get(self, case_id: str) -> bytes | None: ...
    async def get_or_create(self, case_id: str) -> bytes: ...


CASE_KEY_PREFIX = "case:"


class EncryptionCodec(PayloadCodec, WithSerializationContext):
    """Encrypts with the case's own data key when the payload belongs to a case's workflow
    (known from the serialization context), otherwise with the master keyring."""

    def __init__(
        self, keyring: Keyring, case_keys: KeyStore | None = None, case_id: str | None = None
    ) -> None:
        self._keyring, self._case_keys, self._case_id = keyring, case_keys, case_id

    def with_context(self, context: SerializationContext) -> Self:
        workflow_id = getattr(context, "workflow_id", None)
        case_id = case_of_workflow(workflow_id) if workflow_id and self._case_keys else None
        return type(self)(self._keyring, self._case_keys, case_id)

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
            if p.metadata.get("encoding") != ENCODING:
                out.append(p)  # not ours to decrypt (e.g. written by the server itself)
                continue
            kid = p.metadata.get(KEY_ID, b"").decode()
            cipher = await self._cipher_for_decode(kid)
            decoded = Payload()
            decoded.ParseFromString(cipher.decrypt(p.data[:12], p.data[12:], kid.encode()))
            out.append(decoded)
        return out
