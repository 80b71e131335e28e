"""The channels a partner is reached on: e-mail over SMTP; signed webhooks that carry a
CloudEvent (NL GOV profile for CloudEvents; `domain.events`); and for a mayor's office with
one configured, its zaaksysteem (the ZGW APIs: `activities.zaaksysteem`).

A webhook is sent in the HTTP binding's *structured* content mode: the body is the whole
event as `application/cloudevents+json`, attributes and data together. The NL GOV guideline
for the HTTP binding advises it (one JSON document per event, no meaning in headers), and it
keeps the event whole when a partner stores it, queues it or forwards it: in binary mode the
attributes live in `ce-` headers, which a proxy, a log or a store may drop. The signature
(`domain.signing`) covers that body, so it covers every attribute too.
"""

from __future__ import annotations

import hashlib
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from email.message import EmailMessage

import aiosmtplib
import certifi
import httpx
from cloudevents.core.bindings.http import to_structured_event
from cloudevents.core.v1.event import CloudEvent
from jinja2 import Environment, PackageLoader, StrictUndefined
from temporalio.exceptions import ApplicationError

from domain.catalogue import Catalogue
from domain.events import partner_event
from domain.models import Notice
from domain.notifications import MAIL_KEY_HEADER
from domain.signing import sign

# the templates ship with the release: not checked for changes at every message
TEMPLATES = Environment(
    loader=PackageLoader("activities", "templates"),
    undefined=StrictUndefined,
    autoescape=False,
    auto_reload=False,
)
PERMANENT = "PermanentDeliveryError"
RETRYABLE_STATUS = {408, 425, 429}


def render(template: str, body: dict[str, str]) -> str:
    return TEMPLATES.get_template(f"{template}.txt").render(**body)


def permanent(message: str) -> ApplicationError:
    """A failure that retrying cannot fix (the receiver refuses the message)."""
    return ApplicationError(message, type=PERMANENT, non_retryable=True)


class Sender:
    def __init__(
        self,
        *,
        smtp_host: str,
        smtp_port: int,
        mail_from: str,
        webhook_secret: Callable[[str], bytes],
        event_source: str,
        public_url: str,
        timeout: float = 10.0,
        catalogue: Catalogue,
        zaaksysteem: Callable[[dict], Awaitable[None]] | None = None,
    ) -> None:
        self._catalogue = catalogue  # the notices' CloudEvents types and titles
        self._zaaksysteem = zaaksysteem
        self._smtp = (smtp_host, smtp_port)
        self._from = mail_from
        self._secret = webhook_secret
        self._source = event_source
        self._public_url = public_url
        self._timeout = timeout
        # one TLS context for every webhook: building one per request cost more than the send
        self._tls = ssl.create_default_context(cafile=certifi.where())
        # the name this host greets mail servers with, looked up once, not for every message
        self._helo = socket.getfqdn()

    async def send(self, d: dict) -> None:
        """Send delivery row `d` (with its notice: `store.notices.SEND_COLUMNS`) once; raises
        on failure (retryable unless PERMANENT)."""
        if d["channel"] == "email":
            await self._email(d)
        elif d["channel"] == "webhook":
            await self._webhook(d)
        elif d["channel"] == "zgw" and self._zaaksysteem is not None:
            await self._zaaksysteem(d)
        else:
            raise permanent(d["last_error"] or "voor deze ontvanger is geen kanaal ingesteld")

    async def _email(self, d: dict) -> None:
        msg = EmailMessage()
        msg["From"] = self._from
        msg["To"] = d["address"]
        msg["Subject"] = d["subject"]
        # receivers that see the same Message-ID twice can drop the second
        msg["Message-ID"] = f"<{hashlib.sha256(d['key'].encode()).hexdigest()[:32]}@ketenregie>"
        msg[MAIL_KEY_HEADER] = d["key"]
        page = d["body"].get("page")  # planned before links were: none
        link = f"{self._public_url.rstrip('/')}{page}" if page else ""
        msg.set_content(render(d["body"]["template"], {**d["body"], "link": link}))
        host, port = self._smtp
        try:
            await aiosmtplib.send(
                msg, hostname=host, port=port, timeout=self._timeout, local_hostname=self._helo
            )
        except aiosmtplib.SMTPRecipientsRefused as e:
            raise permanent(f"de mailserver weigerde {d['address']}: {e}") from None

    def cloud_event(self, d: dict) -> CloudEvent:
        """The CloudEvent of delivery `d`: the same id, time and content on every try."""
        try:
            attributes, data = partner_event(
                self._catalogue,
                d["key"],
                Notice.model_validate(d["notice"]),
                d["created_at"],
                self._source,
                self._public_url,
                d["body"],
            )
        except LookupError as e:
            raise permanent(str(e)) from None
        return CloudEvent(attributes, data)

    async def _webhook(self, d: dict) -> None:
        event = self.cloud_event(d)
        message = to_structured_event(event)
        headers = {
            **message.headers,
            **sign(self._secret(d["partner_id"]), event.get_id(), int(time.time()), message.body),
        }
        async with httpx.AsyncClient(timeout=self._timeout, verify=self._tls) as client:
            response = await client.post(d["address"], content=message.body, headers=headers)
        if response.status_code < 300:
            return
        reason = f"{d['address']} antwoordde {response.status_code}"
        if 400 <= response.status_code < 500 and response.status_code not in RETRYABLE_STATUS:
            raise permanent(reason)
        raise RuntimeError(reason)
