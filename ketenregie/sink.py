"""A local mail server and webhook receiver that keep what they receive (development, tests).

`ketenregie up` runs it so that a developer sees what partners would be sent:
`GET http://127.0.0.1:<sink_port>/` lists every mail, webhook and CORV message received.
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from domain.corv import CorvFormatError, acknowledgement, read_header
from domain.signing import KEY_HEADER, SIGNATURE_HEADER, verify
from ketenregie.settings import SAMPLE_CHAIN
from ketenregie.stack import BackgroundServer

log = logging.getLogger("ketenregie.sink")
logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's SMTP dialogue


def partner_chain(path: Path, hooks_port: int) -> Path:
    """Write the sample chain to `path` with its webhooks pointed at a sink on `hooks_port`."""
    text = SAMPLE_CHAIN.read_text(encoding="utf-8").replace(
        "http://127.0.0.1:8026/", f"http://127.0.0.1:{hooks_port}/"
    )
    path.write_text(text, encoding="utf-8")
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
    """Receives signed webhooks at /hooks/{partner}: rejects bad signatures and replays of
    old timestamps, and accepts each idempotency key once (a repeat is acknowledged)."""

    def __init__(
        self, host: str, port: int, secret: Callable[[str], bytes], mail: MailSink | None = None
    ) -> None:
        self.received: list[dict] = []  # every authentic request, repeats included
        self.accepted: dict[str, dict] = {}  # idempotency key -> the first body
        self.failing: set[str] = set()  # partners whose endpoint answers 503
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
            problem = verify(
                self._secret(partner), request.headers.get(SIGNATURE_HEADER, ""), body, time.time()
            )
            if problem:
                return JSONResponse({"error": problem}, status_code=401)
            key = request.headers.get(KEY_HEADER, "")
            payload = {"partner": partner, "key": key, **json.loads(body)}
            self.received.append(payload)
            duplicate = key in self.accepted
            self.accepted.setdefault(key, payload)
            log.info("webhook to %s: %s%s", partner, key, " (repeat)" if duplicate else "")
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
                "webhooks": list(self.accepted.values()),
                "corv": [m.decode() for m in self.corv.values()],
            }

        return app

    async def start(self) -> None:
        await self._server.start()

    async def stop(self) -> None:
        await self._server.stop()
