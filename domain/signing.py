"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>", so a receiver can reject replays.

Header: `X-Ketenregie-Signature: t=<unix seconds>,v1=<hex digest>`; the idempotency key of the
notification travels in `X-Ketenregie-Idempotency-Key`.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Ketenregie-Signature"
KEY_HEADER = "X-Ketenregie-Idempotency-Key"
TOLERANCE_SECONDS = 300


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: bytes, header: str, body: bytes, now: float) -> str | None:
    """None when the signature is valid and fresh; otherwise why it is not."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return "malformed signature header"
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return "timestamp outside the tolerance: a replay or a wrong clock"
    expected = sign(secret, timestamp, body).partition(",v1=")[2]
    if not hmac.compare_digest(expected, given):
        return "signature does not match"
    return None
