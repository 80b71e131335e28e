"""Webhook signatures (Standard Webhooks): a partner can tell an authentic, fresh request from
anything else."""

import base64
import hashlib
import hmac

from domain.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify

SECRET = b"partner-secret"
ID = "5f0e1c2a-0000-5000-8000-000000000001"
BODY = b'{"specversion":"1.0","id":"5f0e1c2a-0000-5000-8000-000000000001"}'


def test_a_fresh_signed_body_is_accepted():
    assert verify(SECRET, sign(SECRET, ID, 1_000, BODY), BODY, now=1_010) is None


def test_the_signature_is_the_standard_webhooks_one():
    """v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">: any Standard Webhooks library
    checks it."""
    digest = hmac.new(SECRET, f"{ID}.1000.".encode() + BODY, hashlib.sha256).digest()
    headers = sign(SECRET, ID, 1_000, BODY)
    assert headers == {
        "webhook-id": ID,
        "webhook-timestamp": "1000",
        "webhook-signature": f"v1,{base64.b64encode(digest).decode()}",
    }


def test_an_old_timestamp_is_rejected_as_a_replay():
    assert "replay" in verify(SECRET, sign(SECRET, ID, 1_000, BODY), BODY, now=1_000 + 301)


def test_a_bad_signature_is_rejected():
    headers = sign(SECRET, ID, 1_000, BODY)
    assert verify(SECRET, headers, BODY + b" ", now=1_000) == "signature does not match"
    assert verify(b"other", headers, BODY, now=1_000) == "signature does not match"
    other_id = {**headers, "webhook-id": "another-event"}
    assert verify(SECRET, other_id, BODY, now=1_000) == "signature does not match"
    moved = {**headers, TIMESTAMP_HEADER: "1001"}
    assert verify(SECRET, moved, BODY, now=1_000) == "signature does not match"
    forged = {**headers, SIGNATURE_HEADER: "v1," + base64.b64encode(b"x" * 32).decode()}
    assert verify(SECRET, forged, BODY, now=1_000) == "signature does not match"


def test_one_matching_signature_of_several_is_enough():
    """While a secret is rotated a request carries a signature with each."""
    headers = sign(SECRET, ID, 1_000, BODY)
    old = sign(b"old-secret", ID, 1_000, BODY)[SIGNATURE_HEADER]
    both = {**headers, SIGNATURE_HEADER: f"{old} {headers[SIGNATURE_HEADER]}"}
    assert verify(SECRET, both, BODY, now=1_000) is None


def test_missing_or_malformed_headers_are_rejected():
    headers = sign(SECRET, ID, 1_000, BODY)
    assert "timestamp" in verify(SECRET, {**headers, TIMESTAMP_HEADER: "gisteren"}, BODY, 1_000)
    assert "missing" in verify(SECRET, {TIMESTAMP_HEADER: "1000"}, BODY, now=1_000)
    assert "missing" in verify(SECRET, {}, BODY, now=1_000)
