"""Webhook signatures: a receiver can tell an authentic, fresh request from anything else."""

from domain.signing import sign, verify

SECRET = b"partner-secret"
BODY = b'{"idempotency_key":"k"}'


def test_a_fresh_signed_body_is_accepted():
    assert verify(SECRET, sign(SECRET, 1_000, BODY), BODY, now=1_010) is None


def test_an_old_timestamp_is_rejected_as_a_replay():
    assert "replay" in verify(SECRET, sign(SECRET, 1_000, BODY), BODY, now=1_000 + 301)


def test_a_changed_body_or_another_secret_is_rejected():
    header = sign(SECRET, 1_000, BODY)
    assert verify(SECRET, header, BODY + b" ", now=1_000) == "signature does not match"
    assert verify(b"other", header, BODY, now=1_000) == "signature does not match"
    assert verify(SECRET, "v1=abc", BODY, now=1_000) == "malformed signature header"
