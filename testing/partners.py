"""Stand-ins for the partners: a local mail server and a webhook and CORV receiver that keep
what they receive, with switches a test or bench turns to make a partner fail
(`WebhookReceiver.failing`, `answer_lost`). Test support, not the product: the tests and the
benches start them in their own process, and `./run up` (`testing.up`) beside the stack, so a
developer sees what partners would be sent: `GET http://127.0.0.1:<sink_port>/` lists every
mail, webhook and CORV message received. `python -m testing.partners` runs them alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from cloudevents.core.bindings.http import HTTPMessage, from_http
from cloudevents.core.exceptions import BaseCloudEventException
from cloudevents.core.formats.json import JSONFormat
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from domain.corv import CorvFormatError, acknowledgement, read_header
from domain.signing import ID_HEADER, verify
from infra.settings import Settings, sample_chain
from testing.background import BackgroundServer

log = logging.getLogger("testing.partners")
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's SMTP dialogue


def partner_chain(path: Path, hooks_port: int) -> Path:
    """Write the sample chain to `path` with its webhooks pointed at a sink on `hooks_port`."""
    path.write_text(sample_chain(hooks_port), encoding="utf-8")
    return path


class MailSink:
    """An SMTP server (aiosmtpd) in a thread of its own; `messages` in arrival order, repeats
    included. Its mailbox (`accepted`) keeps one message per Message-ID, as a receiving mail
    store does: a mail sent again after a crash between send and bookkeeping is not shown
    twice."""

    def __init__(self, host: str, port: int) -> None:
        self.messages: list[EmailMessage] = []
        self.accepted: dict[str, EmailMessage] = {}
        self._controller = Controller(self, hostname=host, port=port)

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        repeat = message["Message-ID"] in self.accepted
        self.accepted.setdefault(message["Message-ID"], message)
        log.info(
            "mail to %s: %s%s", message["To"], message["Subject"], " (repeat)" if repeat else ""
        )
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


class WebhookReceiver:
    """Receives CloudEvents at /hooks/{partner} as a partner would: verifies the signature
    (`domain.signing.verify`: a bad one or a stale timestamp is refused with 401), parses the
    event with the CloudEvents SDK (`from_http`; not a CloudEvent: 400) and accepts each event
    id once (a repeat is acknowledged, not taken in again)."""

    def __init__(
        self, host: str, port: int, secret: Callable[[str], bytes], mail: MailSink | None = None
    ) -> None:
        self.received: list[dict] = []  # every authentic event, repeats included
        self.accepted: dict[str, dict] = {}  # event id -> the event as first received
        self.failing: set[str] = set()  # partners whose endpoint answers 503
        # partners whose next event is taken in but answered 503, once: as if the answer was
        # lost on the way, so the sender tries again
        self.answer_lost: set[str] = set()
        self.corv: dict[str, bytes] = {}  # CORV message id -> the first message
        self.corv_received: list[str] = []  # message ids, repeats included
        self._secret = secret
        self._mail = mail
        self._server = BackgroundServer(self._build(), host, port)

    def _build(self) -> FastAPI:
        app = FastAPI(title="ketenregie sink")

        @app.post("/hooks/{partner}")
        async def hook(partner: str, request: Request) -> JSONResponse:
            if partner in self.failing:
                return JSONResponse({"error": "unavailable"}, status_code=503)
            body = await request.body()
            problem = verify(self._secret(partner), request.headers, body, time.time())
            if problem:
                return JSONResponse({"error": problem}, status_code=401)
            try:
                event = from_http(HTTPMessage(dict(request.headers), body), JSONFormat())
            except (BaseCloudEventException, ValueError) as e:
                return JSONResponse({"error": f"not a CloudEvent: {e}"}, status_code=400)
            if event.get_id() != request.headers[ID_HEADER]:
                return JSONResponse({"error": "webhook-id is not the event's id"}, status_code=400)
            received = {"partner": partner, **event.get_attributes(), "data": event.get_data()}
            self.received.append(received)
            duplicate = event.get_id() in self.accepted
            self.accepted.setdefault(event.get_id(), received)
            log.info(
                "CloudEvent %s to %s: %s%s",
                event.get_id(),
                partner,
                event.get_type(),
                " (repeat)" if duplicate else "",
            )
            if partner in self.answer_lost:
                self.answer_lost.discard(partner)
                return JSONResponse({"error": "answer lost"}, status_code=503)
            return JSONResponse({"duplicate": duplicate})

        @app.post("/corv/berichten")
        async def corv(request: Request) -> Response:
            """A stand-in for CORV: accepts a verzoek tot onderzoek once per message id."""
            body = await request.body()
            try:
                header = read_header(body)
            except CorvFormatError as e:
                return Response(str(e), status_code=400, media_type="text/plain")
            message_id = header["BerichtId"]
            self.corv_received.append(message_id)
            duplicate = message_id in self.corv
            self.corv.setdefault(message_id, body)
            log.info(
                "CORV message %s to %s%s",
                message_id,
                header["Ontvanger"],
                " (repeat)" if duplicate else "",
            )
            ack = acknowledgement(message_id, datetime.now(UTC), duplicate)
            return Response(ack, media_type="application/xml")

        @app.get("/")
        async def everything() -> dict:
            mails = self._mail.messages if self._mail else []
            return {
                "mail": [
                    {"to": m["To"], "subject": m["Subject"], "body": m.get_content()} for m in mails
                ],
                "webhooks": list(self.accepted.values()),  # CloudEvents, once per id
                "corv": [m.decode() for m in self.corv.values()],
            }

        return app

    async def start(self) -> None:
        await self._server.start()

    async def stop(self) -> None:
        await self._server.stop()


async def serve(settings: Settings) -> None:
    """The partners of the settings' chain, at its SMTP and sink ports, until cancelled."""
    mail = MailSink(settings.smtp_host, settings.smtp_port)
    mail.start()
    hooks = WebhookReceiver(settings.smtp_host, settings.sink_port, settings.webhook_secret, mail)
    await hooks.start()
    try:
        await asyncio.Event().wait()
    finally:
        await hooks.stop()
        mail.stop()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(Settings()))
