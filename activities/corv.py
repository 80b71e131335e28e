"""The CORV adapter: sends the verzoek tot onderzoek to the Raad voor de Kinderbescherming.

The message is built here from the case file in Postgres (the child's name, birth date
and the melding's summary never pass through Temporal). Its id is derived from the path,
so a retry sends the same message and the receiver acknowledges it as a repeat.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import asyncpg
import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.chain import Chain
from domain.child_protection import CorvRequest
from domain.corv import acknowledged_id, verzoek_tot_onderzoek

CORV_REJECTED = "CorvRejected"


class CorvActivities:
    def __init__(self, pool: asyncpg.Pool, chain: Chain, endpoint: str) -> None:
        self._pool = pool
        self._chain = chain
        self._endpoint = endpoint

    @activity.defn
    async def send_verzoek_tot_onderzoek(self, req: CorvRequest) -> str:
        """Send the message; its id. Raises CorvRejected when CORV refuses it for good."""
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                """SELECT f.persons, f.summary, c.municipality
                   FROM case_files f JOIN cases c USING (case_id) WHERE f.case_id = $1""",
                req.case_id,
            )
        if row is None:
            raise _rejected("het casusdossier bestaat niet meer")
        child = next((p for p in row["persons"] if p["ref"] == req.child_ref), None)
        if child is None:
            raise _rejected(f"{req.child_ref} staat niet in het casusdossier")
        region = self._chain.region(req.region)
        sender = _partner_id(region, "veilig_thuis") or req.region
        receiver = _partner_id(region, "raad")
        if receiver is None:
            raise _rejected(
                f"regio {req.region} heeft geen Raad voor de Kinderbescherming als partner"
            )
        message_id = f"VTO-{req.path_id}"
        body = verzoek_tot_onderzoek(
            message_id=message_id,
            sent_at=datetime.now(UTC),
            sender=sender,
            receiver=receiver,
            case_id=req.case_id,
            municipality=row["municipality"],
            child_name=child["name"],
            child_birth_date=_date(child.get("birth_date")),
            grounds=row["summary"],
        )
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(
                self._endpoint, content=body, headers={"content-type": "application/xml"}
            )
        if 400 <= response.status_code < 500:
            # the reason stays in CORV's log: its answer may quote the message's content
            raise _rejected(f"CORV weigerde het bericht ({response.status_code})")
        response.raise_for_status()
        if acknowledged_id(response.content) != message_id:
            raise RuntimeError("CORV's acknowledgement names another message")
        return message_id


def _rejected(reason: str) -> ApplicationError:
    return ApplicationError(reason, type=CORV_REJECTED, non_retryable=True)


def _partner_id(region, kind: str) -> str | None:
    found = region.partners_of(kind) if region else []
    return found[0].id if found else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
