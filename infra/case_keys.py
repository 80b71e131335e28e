"""Per-case data keys (crypto-shredding): each case's payloads are encrypted with its own key,
wrapped by the master keyring and stored in Postgres. Deleting the key leaves the case's
Temporal histories, and any backup of them, unreadable."""

from __future__ import annotations

import hmac
import secrets
import time

import asyncpg
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from infra.keys import Keyring, UnknownKeyError

CACHE_SECONDS = 30.0  # a destroyed case's key lingers in a process's memory at most this long


class PostgresKeyStore:
    def __init__(self, pool: asyncpg.Pool, master: Keyring) -> None:
        self._pool, self._master = pool, master
        self._cache: dict[str, tuple[float, bytes]] = {}

    def _unwrap(self, case_id: str, kid: str, wrapped: bytes) -> bytes:
        return self._master.cipher(kid).decrypt(wrapped[:12], wrapped[12:], case_id.encode())

    async def get(self, case_id: str) -> bytes | None:
        hit = self._cache.get(case_id)
        if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
        row = await self._pool.fetchrow(
            "SELECT master_kid, wrapped FROM case_keys WHERE case_id = $1", case_id
        )
        if row is None:
            self._cache.pop(case_id, None)
            return None
        key = self._unwrap(case_id, row["master_kid"], row["wrapped"])
        self._cache[case_id] = (time.monotonic(), key)
        return key

    async def get_or_create(self, case_id: str) -> bytes:
        if (key := await self.get(case_id)) is not None:
            return key
        kid, nonce = self._master.current, secrets.token_bytes(12)
        wrapped = nonce + self._master.cipher(kid).encrypt(
            nonce, AESGCM.generate_key(256), case_id.encode()
        )
        await self._pool.execute(
            "INSERT INTO case_keys (case_id, master_kid, wrapped) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            case_id,
            kid,
            wrapped,
        )
        key = await self.get(case_id)
        if key is None:
            raise UnknownKeyError(
                f"the case {case_id} was destroyed; no new data can be written for it"
            )
        return key

    def forget(self, case_id: str) -> None:
        self._cache.pop(case_id, None)


class MemoryKeyStore:
    """For workflow tests under time skipping."""

    def __init__(self, seed: bytes | None = None) -> None:
        self._keys: dict[str, bytes] = {}
        self._seed = seed  # with a seed, a case's key is derived from it (recorded histories)

    async def get(self, case_id: str) -> bytes | None:
        if self._seed is not None:
            return await self.get_or_create(case_id)
        return self._keys.get(case_id)

    async def get_or_create(self, case_id: str) -> bytes:
        if self._seed is not None and case_id not in self._keys:
            self._keys[case_id] = hmac.digest(self._seed, case_id.encode(), "sha256")
        return self._keys.setdefault(case_id, AESGCM.generate_key(256))

    def forget(self, case_id: str) -> None:
        self._keys.pop(case_id, None)
