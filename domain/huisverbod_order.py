"""The written order (beschikking) of a huisverbod decision, in Dutch: what it says and which
dates it gives, each with its article. The dates come from the policy the workflow uses
(`HuisverbodPolicy`), so the paper says what the process enforces. `domain.order_pdf` renders it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from domain.huisverbod import Decider, HuisverbodSnapshot
from domain.policy import HuisverbodPolicy
from domain.workdays import AMSTERDAM

OrderKind = Literal["oplegging", "afwijzing", "verlenging", "intrekking"]
MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
APPEAL = "Awb art. 6:7 en 6:8 (zes weken); Wth art. 6"
REMEDY = (
    "Tegen deze beschikking kunnen belanghebbenden zonder bezwaar rechtstreeks beroep instellen "
    "bij de bestuursrechter van de rechtbank, binnen zes weken na de dag waarop zij is "
    "bekendgemaakt (Wth art. 6; Awb art. 6:7 en 6:8). Daarbij kan om een voorlopige "
    "voorziening worden gevraagd; de rechter behandelt dat verzoek binnen drie dagen (Wth "
    "art. 6). Het beroep schorst de werking van het huisverbod niet. Wie het huisverbod "
    "overtreedt, pleegt een misdrijf (Wth art. 11)."
)
# a refusal is no decision Wth art. 6 opens direct appeal against: the Awb's objection first
OBJECTION = "Awb art. 6:7, 6:8 en 7:1 (zes weken)"
REMEDY_REFUSAL = (
    "Tegen deze beschikking kunnen belanghebbenden bezwaar maken bij de burgemeester, binnen "
    "zes weken na de dag waarop zij is bekendgemaakt (Awb art. 6:7, 6:8 en 7:1)."
)
UNKNOWN = "(niet vastgelegd bij het verzoek)"


class OrderDate(BaseModel):
    label: str
    at: datetime
    article: str


class WrittenOrder(BaseModel):
    kind: OrderKind
    title: str
    municipality: str
    person: str
    address: str
    dictum: list[str]
    grounds: str  # the facts and circumstances of the police's request
    reason: str  # the decision's own reasoning
    dates: list[OrderDate]
    remedy: str
    decided_at: datetime
    signed_by: str


class NoOrder(LookupError):
    """The huisverbod has no decision of the kind asked for (yet)."""


def moment(at: datetime) -> str:
    """'20 oktober 2026 om 20:00', Amsterdam time: how a beschikking writes a moment. Midnight
    is the end of the day before ('1 december 2026 om 24:00'), as a term's last day ends."""
    local = at.astimezone(AMSTERDAM)
    clock = f"{local:%H:%M}"
    if clock == "00:00":
        local, clock = local - timedelta(days=1), "24:00"
    return f"{local.day} {MONTHS[local.month - 1]} {local.year} om {clock}"


def _signed(by: Decider, municipality: str) -> str:
    if by.capacity == "hulpofficier":  # imposed under the mayor's mandate (Wth art. 3)
        return f"{by.name}, hulpofficier van justitie, namens de burgemeester van {municipality}"
    return f"{by.name}, namens de burgemeester van {municipality}"


def written_order(
    kind: OrderKind,
    hv: HuisverbodSnapshot,
    file: dict[str, Any],
    municipality: str,
    policy: HuisverbodPolicy,
) -> WrittenOrder:
    """The order of the imposition, of the refusal, of the last extension or of the
    withdrawal; `file` is the request's file (person to leave, address, grounds). Raises
    `NoOrder` when there is none."""
    decision, imposed_at = hv.decision, hv.imposed_at
    if kind == "afwijzing":
        return _refusal(hv, file, municipality, policy)
    if decision is None or decision.decision != "impose" or imposed_at is None:
        raise NoOrder(f"er is (nog) geen beschikking van {kind}: het huisverbod is niet opgelegd")
    person = file.get("pleger_name") or UNKNOWN
    address = file.get("address") or UNKNOWN
    common = {
        "kind": kind,
        "municipality": municipality,
        "person": person,
        "address": address,
        "grounds": file.get("grounds") or UNKNOWN,
        "remedy": REMEDY,
    }
    banned = f"het tijdelijk huisverbod dat op {moment(imposed_at)} aan {person} is opgelegd"
    if kind == "oplegging":
        dictum = [
            (
                f"De burgemeester van {municipality} legt {person} een tijdelijk huisverbod op voor "
                f"de woning {address}: betrokkene mag die woning niet betreden of daarin aanwezig "
                "zijn, en neemt geen contact op met wie met hem of haar in de woning wonen "
                "(Wth art. 1 en art. 2 lid 1)."
            ),
            (
                "Betrokkene geeft binnen 24 uur een adres of een andere manier op waarop hij of zij "
                "bereikbaar is (Wth art. 2 lid 6)."
            ),
        ]
        if decision.ordered_orally:
            dictum.append(
                f"Het huisverbod is op {moment(imposed_at)} mondeling opgelegd; deze "
                "beschikking legt het schriftelijk vast (Wth art. 2 lid 7)."
            )
        dates = [
            OrderDate(label="Ingang", at=imposed_at, article="Wth art. 2 lid 1"),
            OrderDate(
                label="Einde (tien dagen)",
                at=policy.ban_end(imposed_at),
                article="Wth art. 2 lid 1 (tien dagen)",
            ),
            OrderDate(
                label="Adres of contact opgeven uiterlijk",
                at=policy.due(imposed_at, "contact_address")[0],
                article="Wth art. 2 lid 6 (binnen 24 uur)",
            ),
            OrderDate(
                label="Uiterste einde bij verlenging",
                at=hv.max_end or policy.max_end(imposed_at),
                article="Wth art. 9 lid 1 (ten hoogste vier weken na oplegging)",
            ),
            OrderDate(label="Beroep uiterlijk", at=policy.appeal_until(imposed_at), article=APPEAL),
        ]
        return WrittenOrder(
            **common,
            title="Beschikking tijdelijk huisverbod: oplegging",
            dictum=dictum,
            reason=decision.reason,
            dates=dates,
            decided_at=imposed_at,
            signed_by=_signed(decision.decided_by, municipality),
        )
    if kind == "verlenging":
        if not hv.extensions:
            raise NoOrder("er is geen beschikking van verlenging: het huisverbod is niet verlengd")
        ext = hv.extensions[-1]
        return WrittenOrder(
            **common,
            title="Beschikking tijdelijk huisverbod: verlenging",
            dictum=[
                (
                    f"De burgemeester van {municipality} verlengt {banned}, voor de woning "
                    f"{address}, tot {moment(ext.until)} (Wth art. 9 lid 1)."
                )
            ],
            reason=ext.reason,
            dates=[
                OrderDate(label="Nieuw einde", at=ext.until, article="Wth art. 9 lid 1"),
                OrderDate(
                    label="Uiterste einde",
                    at=hv.max_end or policy.max_end(imposed_at),
                    article="Wth art. 9 lid 1 (ten hoogste vier weken na oplegging)",
                ),
                OrderDate(
                    label="Beroep uiterlijk", at=policy.appeal_until(ext.decided_at), article=APPEAL
                ),
            ],
            decided_at=ext.decided_at,
            signed_by=_signed(ext.decided_by, municipality),
        )
    withdrawal = hv.withdrawal
    if withdrawal is None:
        raise NoOrder("er is geen beschikking van intrekking: het huisverbod is niet ingetrokken")
    return WrittenOrder(
        **common,
        title="Beschikking tijdelijk huisverbod: intrekking",
        dictum=[
            (
                f"De burgemeester van {municipality} trekt {banned}, voor de woning {address}, in. "
                f"Het huisverbod eindigt op {moment(withdrawal.at)} (Wth art. 2 lid 9)."
            )
        ],
        reason=withdrawal.reason,
        dates=[
            OrderDate(label="Einde huisverbod", at=withdrawal.at, article="Wth art. 2 lid 9"),
            OrderDate(
                label="Beroep uiterlijk", at=policy.appeal_until(withdrawal.at), article=APPEAL
            ),
        ],
        decided_at=withdrawal.at,
        signed_by=_signed(withdrawal.decided_by, municipality),
    )


def _refusal(
    hv: HuisverbodSnapshot, file: dict[str, Any], municipality: str, policy: HuisverbodPolicy
) -> WrittenOrder:
    """The refusal is a decision too (Awb art. 1:3): the person who asked and those at the
    address read why no ban was imposed, and how to object."""
    decision = hv.decision
    if decision is None or decision.decision != "refuse":
        raise NoOrder("er is geen beschikking van afwijzing: het verzoek is niet afgewezen")
    person = file.get("pleger_name") or UNKNOWN
    address = file.get("address") or UNKNOWN
    asked_by = (file.get("requested_by") or {}).get("organisation") or "de politie"
    return WrittenOrder(
        kind="afwijzing",
        title="Beschikking tijdelijk huisverbod: afwijzing",
        municipality=municipality,
        person=person,
        address=address,
        dictum=[
            (
                f"De burgemeester van {municipality} wijst het verzoek van {asked_by} van "
                f"{moment(hv.requested_at)} af om {person} een tijdelijk huisverbod op te leggen "
                f"voor de woning {address} (Wth art. 2 lid 1)."
            )
        ],
        grounds=file.get("grounds") or UNKNOWN,
        reason=decision.reason,
        dates=[
            OrderDate(
                label="Bezwaar uiterlijk",
                at=policy.appeal_until(decision.decided_at),
                article=OBJECTION,
            )
        ],
        remedy=REMEDY_REFUSAL,
        decided_at=decision.decided_at,
        signed_by=_signed(decision.decided_by, municipality),
    )
