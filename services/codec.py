"""The Temporal UI's codec server: a payload is opened only for someone who may read its case."""

from __future__ import annotations

from collections.abc import Sequence

from temporalio.api.common.v1 import Payload

from infra.codec import EncryptionCodec, case_of_key, sealed_with
from services.context import Caller, Parts
from services.errors import forbidden, unprocessable
from store import cases

NOT_A_CASE = (
    "u mag alleen gegevens ontsleutelen van casussen die u mag inzien; deze gegevens horen bij "
    "geen casus (een adviesvraag of ketenregie zelf)"
)
NOT_YOURS = "u mag alleen gegevens ontsleutelen van casussen die u mag inzien"
NO_ENCODING = (
    "versleutelen voor Temporal doet alleen ketenregie zelf: opdrachten gaan via de API, die ze "
    "controleert en logt; een opdracht die buiten ketenregie om is versleuteld weigert de casus"
)


async def decode(
    parts: Parts, caller: Caller, codec: EncryptionCodec, payloads: Sequence[Payload]
) -> list[Payload]:
    """All of them decrypted, or none: each sealed with the key of a case in the caller's
    scope (or not sealed at all). The cases are named in the access log, refused or not, so
    the case's log and the inzage show who opened (or tried to open) its payloads."""
    keys = {kid for p in payloads if (kid := sealed_with(p)) is not None}
    case_ids = sorted({case_id for kid in keys if (case_id := case_of_key(kid))})
    for case_id in case_ids:
        caller.audit.touches(case_id)
    if any(case_of_key(kid) is None for kid in keys):
        raise forbidden(NOT_A_CASE)
    async with parts.pool.acquire() as conn:
        for case_id in case_ids:
            if not await cases.visible(conn, case_id, caller.scope):
                raise forbidden(NOT_YOURS)
    try:
        return await codec.decode(payloads)
    except Exception:  # noqa: BLE001 - an unknown key or tampered payload: say so, show nothing
        raise unprocessable(
            "een payload kon niet worden ontsleuteld met de sleutels van ketenregie"
        ) from None
