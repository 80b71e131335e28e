"""Webhook signatures (Standard Webhooks): a partner can tell an authentic, fresh request from
anything else."""

import base64
import hashlib
import hmac
import time
from pathlib import Path

from cloudevents.core.bindings.http import to_structured_event
from cloudevents.core.v1.event import CloudEvent

from domain.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify

INTEGRATORS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "integrators.md"
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


def test_the_integrators_page_snippet_of_a_partners_side_works():
    """The integrators' page's receiver, run as written: takes a signed CloudEvent once, acknowledges
    its repeat, refuses a bad signature."""
    text = INTEGRATORS_PAGE.read_text()
    snippet = text[text.index("A partner's side") :].split("```python\n", 1)[1].split("```")[0]
    partner: dict = {}
    exec(snippet, partner)  # noqa: S102 - our own docs
    event = CloudEvent(
        {
            "id": ID,
            "source": "urn:nld:systeem:ketenregie",
            "type": "nl.ketenregie.termijn.verstreken",
        },
        {"title": "Escalatie"},
    )
    message = to_structured_event(event)
    headers = {**message.headers, **sign(SECRET, ID, int(time.time()), message.body)}
    assert partner["receive"](headers, message.body, SECRET) == 200
    assert partner["seen"] == {ID}
    assert partner["receive"](headers, message.body, SECRET) == 200  # the repeat, dropped
    assert partner["receive"](headers, message.body, b"other") == 401
