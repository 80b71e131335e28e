"""Temporal's codec-server protocol, so the Temporal Web UI shows decoded payloads to those
allowed (Veilig Thuis coordinators), of the cases they may read; every decode is an
access-log entry naming those cases. Nothing is encoded for the UI: commands go through the
API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from api.auth import AuditDep, allowed
from api.deps import PartsDep
from domain.access import Principal
from infra.codec import EncryptionCodec
from services import codec as codec_service
from services.context import Caller
from services.errors import forbidden, unprocessable

router = APIRouter(prefix="/codec", tags=["temporal codec server"])
PayloadsBody = Annotated[
    dict[str, Any], Body(examples=[{"payloads": [{"metadata": {}, "data": ""}]}])
]


def _parse(body: dict[str, Any]) -> Payloads:
    try:
        return json_format.ParseDict(body, Payloads())
    except json_format.ParseError as e:
        raise unprocessable(f"not a Temporal payloads document: {e}") from None


@router.post("/encode")
async def encode(
    audit: AuditDep, principal: Annotated[Principal, Depends(allowed("codec.encode"))]
) -> dict[str, Any]:
    """Refused: the protocol names no workflow, so no case's key could be chosen, and a
    payload under the master key is refused by a case's workflow anyway. The attempt is
    logged."""
    audit.detail = "encode refused"
    raise forbidden(codec_service.NO_ENCODING)


@router.post("/decode")
async def decode(
    request: Request,
    parts: PartsDep,
    body: PayloadsBody,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("codec.decode"))],
) -> dict[str, Any]:
    payloads = _parse(body)
    audit.detail = f"decode {len(payloads.payloads)} payloads for namespace {request.headers.get('x-namespace', '')}"
    codec = EncryptionCodec(request.app.state.settings.keyring, request.app.state.case_keys)
    decoded = await codec_service.decode(
        parts, Caller(principal, audit), codec, list(payloads.payloads)
    )
    return json_format.MessageToDict(Payloads(payloads=decoded))
