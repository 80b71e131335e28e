"""Webhook signatures after Standard Webhooks (standardwebhooks.com), with a partner's secret.

Headers: `webhook-id` (the CloudEvent's id), `webhook-timestamp` (unix seconds) and
`webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`; a receiver may
be given several space-separated signatures (a secret being rotated) and accepts any that
matches. The HMAC key is the partner's secret as bytes (a Standard Webhooks library takes it
as `whsec_` + its base64).

Why this rather than the NL GOV webhook guideline's OAuth bearer token: the signature covers
the body, so a partner knows the event came from us unchanged, the timestamp in it lets the
partner refuse a replayed request, it works with the per-partner secret the chain has today
(no authorisation server), and libraries for it exist in most languages. A bearer token
(HTTPS only) could be added beside it when a partner demands one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
TOLERANCE_SECONDS = 300


def signature(secret: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret, signed, hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"


def sign(secret: bytes, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers of a signed webhook request."""
    return {
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, message_id, timestamp, body),
    }


def verify(secret: bytes, headers: Mapping[str, str], body: bytes, now: float) -> str | None:
    """For a partner's receiver: None when the request is signed with `secret` and fresh;
    otherwise why it is not. `headers` is looked up by the lower-case names above."""
    message_id = headers.get(ID_HEADER, "")
    given = headers.get(SIGNATURE_HEADER, "").split()
    try:
        timestamp = int(headers.get(TIMESTAMP_HEADER, ""))
    except ValueError:
        return "missing or malformed webhook-timestamp"
    if not message_id or not given:
        return "missing webhook-id or webhook-signature"
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return "timestamp outside the tolerance: a replay or a wrong clock"
    expected = signature(secret, message_id, timestamp, body)
    if not any(hmac.compare_digest(expected, s) for s in given):
        return "signature does not match"
    return None
