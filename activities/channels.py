"""The channels a partner is reached on: e-mail over SMTP, signed webhooks, and for a mayor's
office with one configured, its zaaksysteem (the ZGW APIs: `activities.zaaksysteem`)."""

from __future__ import annotations

import hashlib
import json
import ssl
import time
from collections.abc import Awaitable, Callable
from email.message import EmailMessage

import aiosmtplib
import certifi
import httpx
from jinja2 import Environment, PackageLoader, StrictUndefined
from temporalio.exceptions import ApplicationError

from domain.signing import KEY_HEADER, SIGNATURE_HEADER, sign

TEMPLATES = Environment(
    loader=PackageLoader("activities", "templates"), undefined=StrictUndefined, autoescape=False
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
        timeout: float = 10.0,
        zaaksysteem: Callable[[dict], Awaitable[None]] | None = None,
    ) -> None:
        self._zaaksysteem = zaaksysteem
        self._smtp = (smtp_host, smtp_port)
        self._from = mail_from
        self._secret = webhook_secret
        self._timeout = timeout
        # one TLS context for every webhook: building one per request cost more than the send
        self._tls = ssl.create_default_context(cafile=certifi.where())

    async def send(self, d: dict) -> None:
        """Send delivery row `d` once; raises on failure (retryable unless PERMANENT)."""
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
        msg[KEY_HEADER] = d["key"]
        msg.set_content(render(d["body"]["template"], d["body"]))
        host, port = self._smtp
        try:
            await aiosmtplib.send(msg, hostname=host, port=port, timeout=self._timeout)
        except aiosmtplib.SMTPRecipientsRefused as e:
            raise permanent(f"de mailserver weigerde {d['address']}: {e}") from None

    async def _webhook(self, d: dict) -> None:
        body = json.dumps(
            {"idempotency_key": d["key"], "audience": d["audience"], "message": d["body"]},
            separators=(",", ":"),
        ).encode()
        headers = {
            "content-type": "application/json",
            KEY_HEADER: d["key"],
            SIGNATURE_HEADER: sign(self._secret(d["partner_id"]), int(time.time()), body),
        }
        async with httpx.AsyncClient(timeout=self._timeout, verify=self._tls) as client:
            response = await client.post(d["address"], content=body, headers=headers)
        if response.status_code < 300:
            return
        reason = f"{d['address']} antwoordde {response.status_code}"
        if 400 <= response.status_code < 500 and response.status_code not in RETRYABLE_STATUS:
            raise permanent(reason)
        raise RuntimeError(reason)
