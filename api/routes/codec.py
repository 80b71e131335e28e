"""Temporal's codec-server protocol, so the Temporal Web UI shows decoded payloads to those
allowed (Veilig Thuis coordinators); every decode is an access-log entry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from api.auth import AuditDep, allowed
from domain.access import Principal
from infra.codec import EncryptionCodec
from services.errors import unprocessable

router = APIRouter(prefix="/codec", tags=["temporal codec server"])
PayloadsBody = Annotated[
    dict[str, Any], Body(examples=[{"payloads": [{"metadata": {}, "data": ""}]}])
]


def _parse(body: dict[str, Any]) -> Payloads:
    try:
        return json_format.ParseDict(body, Payloads())
    except json_format.ParseError as e:
        raise unprocessable(f"not a Temporal payloads document: {e}") from None


def _codec(request: Request) -> EncryptionCodec:
    return EncryptionCodec(request.app.state.settings.keyring, request.app.state.case_keys)


@router.post("/encode")
async def encode(
    request: Request,
    body: PayloadsBody,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("codec.encode"))],
) -> dict[str, Any]:
    payloads = _parse(body)
    audit.detail = f"encode {len(payloads.payloads)} payloads"
    encoded = await _codec(request).encode(list(payloads.payloads))
    return json_format.MessageToDict(Payloads(payloads=encoded))


@router.post("/decode")
async def decode(
    request: Request,
    body: PayloadsBody,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("codec.decode"))],
) -> dict[str, Any]:
    payloads = _parse(body)
    audit.detail = f"decode {len(payloads.payloads)} payloads for namespace {request.headers.get('x-namespace', '')}"
    try:
        decoded = await _codec(request).decode(list(payloads.payloads))
    except Exception:  # noqa: BLE001 - an unknown key or tampered payload: say so, show nothing
        raise unprocessable("a payload could not be decrypted with the keys held") from None
    return json_format.MessageToDict(Payloads(payloads=decoded))
