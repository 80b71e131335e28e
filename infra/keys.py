"""The master keyring: AES-256 keys by id, read from the settings (or a development file).

A keyring encrypts with the current key and decrypts with any key it holds, so keys rotate
without rewriting history. The payload codec (`infra.codec`) encrypts with it, and it wraps
the per-case data keys (`infra.case_keys`).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


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
