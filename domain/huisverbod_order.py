"""The written order (beschikking) of a huisverbod decision, in Dutch: what it says and which
dates it gives, each with its article. The dates come from the policy the workflow uses
(`HuisverbodPolicy`), so the paper says what the process enforces; who sends it (letterhead,
the rechtbank, the copies) comes from the chain configuration (`domain.chain.Letterhead`), and
its kenmerk is the zaak's identificatie in the zaaksysteem. `domain.order_pdf` renders it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from domain.chain import Letterhead
from domain.huisverbod import Decider, HuisverbodSnapshot
from domain.huisverbod_policy import HuisverbodPolicy
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
    "bij de bestuursrechter van de {rechtbank}, binnen zes weken na de dag waarop zij is "
    "bekendgemaakt (Wth art. 6; Awb art. 6:7, 6:8 en 8:7). Daarbij kan om een voorlopige "
    "voorziening worden gevraagd; de rechter behandelt dat verzoek binnen drie dagen (Wth "
    "art. 6). Het beroep schorst de werking van het huisverbod niet. Wie het huisverbod "
    "overtreedt, pleegt een misdrijf (Wth art. 11)."
)
# a refusal is no decision Wth art. 6 opens direct appeal against: the Awb's objection first
OBJECTION = "Awb art. 6:7, 6:8 en 7:1 (zes weken)"
REMEDY_REFUSAL = (
    "Tegen deze beschikking kunnen belanghebbenden bezwaar maken bij de burgemeester, binnen "
    "zes weken na de dag waarop zij is bekendgemaakt (Awb art. 6:7, 6:8 en 7:1). Tegen de "
    "beslissing op het bezwaar staat beroep open bij de bestuursrechter van de {rechtbank} "
    "(Awb art. 8:1 en 8:7)."
)
UNKNOWN = "(niet vastgelegd bij het verzoek)"


class OrderDate(BaseModel):
    label: str
    at: datetime
    article: str


class Signature(BaseModel):
    """Who signs, in which capacity, and whether on the mayor's behalf."""

    authority: str  # "De burgemeester van Delft,"
    on_behalf: str  # "namens deze," or the mandate it is signed under
    name: str
    capacity: str | None = None


class WrittenOrder(BaseModel):
    kind: OrderKind
    title: str
    kenmerk: str  # the zaak's identificatie in the municipality's zaaksysteem
    letterhead: Letterhead
    municipality: str
    person: str
    birth_date: date | None = None
    address: str
    dictum: list[str]
    grounds: str  # the facts and circumstances of the police's request
    reason: str  # the decision's own reasoning
    dates: list[OrderDate]
    remedy: str
    decided_at: datetime
    signature: Signature
    sent_to: list[str]  # "verzonden aan": the person, and the copies


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


def day(at: datetime) -> str:
    """'20 oktober 2026', Amsterdam time: the date of a letter."""
    local = at.astimezone(AMSTERDAM)
    return f"{local.day} {MONTHS[local.month - 1]} {local.year}"


def _signed(by: Decider, municipality: str) -> Signature:
    """The mayor's office decides as the mayor; a hulpofficier van justitie under the mayor's
    mandate (Wth art. 3 lid 1). Either signs on the mayor's behalf."""
    authority = f"De burgemeester van {municipality},"
    if by.capacity == "hulpofficier":
        return Signature(
            authority=authority,
            on_behalf="namens deze, in mandaat (Wth art. 3 lid 1),",
            name=by.name,
            capacity="hulpofficier van justitie",
        )
    return Signature(authority=authority, on_behalf="namens deze,", name=by.name)


def _birth_date(file: dict[str, Any]) -> date | None:
    found = file.get("pleger_birth_date")
    return date.fromisoformat(found) if isinstance(found, str) else found


def _sent_to(person: str, letterhead: Letterhead) -> list[str]:
    """The person ordered out receives the order (the police hand it over); the chain's
    organisations a copy."""
    return [f"{person} (betrokkene), uitgereikt door de politie", *letterhead.copies]


def written_order(
    kind: OrderKind,
    hv: HuisverbodSnapshot,
    file: dict[str, Any],
    letterhead: Letterhead,
    policy: HuisverbodPolicy,
    kenmerk: str,
) -> WrittenOrder:
    """The order of the imposition, of the refusal, of the last extension or of the
    withdrawal; `file` is the request's file (person to leave, their birth date, address,
    grounds). Raises `NoOrder` when there is none."""
    decision, imposed_at = hv.decision, hv.imposed_at
    municipality = letterhead.municipality
    person = file.get("pleger_name") or UNKNOWN
    address = file.get("address") or UNKNOWN
    common = {
        "kind": kind,
        "kenmerk": kenmerk,
        "letterhead": letterhead,
        "municipality": municipality,
        "person": person,
        "birth_date": _birth_date(file),
        "address": address,
        "grounds": file.get("grounds") or UNKNOWN,
        "remedy": REMEDY.format(rechtbank=letterhead.rechtbank),
        "sent_to": _sent_to(person, letterhead),
    }
    if kind == "afwijzing":
        return _refusal(hv, file, common, policy)
    if decision is None or decision.decision != "impose" or imposed_at is None:
        raise NoOrder(f"er is (nog) geen beschikking van {kind}: het huisverbod is niet opgelegd")
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
            signature=_signed(decision.decided_by, municipality),
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
            signature=_signed(ext.decided_by, municipality),
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
        signature=_signed(withdrawal.decided_by, municipality),
    )


def _refusal(
    hv: HuisverbodSnapshot, file: dict[str, Any], common: dict[str, Any], policy: HuisverbodPolicy
) -> WrittenOrder:
    """The refusal is a decision too (Awb art. 1:3): the person who asked and those at the
    address read why no ban was imposed, and how to object."""
    decision = hv.decision
    if decision is None or decision.decision != "refuse":
        raise NoOrder("er is geen beschikking van afwijzing: het verzoek is niet afgewezen")
    municipality, person, address = common["municipality"], common["person"], common["address"]
    asked_by = (file.get("requested_by") or {}).get("organisation") or "de politie"
    return WrittenOrder(
        **common
        | {
            "remedy": REMEDY_REFUSAL.format(rechtbank=common["letterhead"].rechtbank),
            "sent_to": [f"{person} (betrokkene)", *common["letterhead"].copies],
        },
        title="Beschikking tijdelijk huisverbod: afwijzing",
        dictum=[
            (
                f"De burgemeester van {municipality} wijst het verzoek van {asked_by} van "
                f"{moment(hv.requested_at)} af om {person} een tijdelijk huisverbod op te leggen "
                f"voor de woning {address} (Wth art. 2 lid 1)."
            )
        ],
        reason=decision.reason,
        dates=[
            OrderDate(
                label="Bezwaar uiterlijk",
                at=policy.appeal_until(decision.decided_at),
                article=OBJECTION,
            )
        ],
        decided_at=decision.decided_at,
        signature=_signed(decision.decided_by, municipality),
    )
