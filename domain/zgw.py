"""The huisverbod in the municipality's zaaksysteem, through the ZGW APIs of VNG Realisatie.

Pure: which ZGW resources a huisverbod's timeline calls for and what each says. One ban is
one zaak (created when the request arrives); each decision of the mayor a besluit; each
written order an enkelvoudiginformatieobject linked to the zaak and to its besluit; the
zaak's status follows the ban. The activity (`activities.zaaksysteem`) does the HTTP and
remembers what it created. No names or addresses in any field but the order's own content:
the zaak is found by its identificatie, which is built from the case number.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from domain.chain import BesluitKind, ZaakResultaat, ZaakStatus, Zaaksysteem
from domain.huisverbod import HuisverbodSnapshot
from domain.huisverbod_order import OrderKind
from domain.huisverbod_policy import HuisverbodPolicy
from domain.workdays import AMSTERDAM

# how a ban stands in the zaaksysteem (`api.schemas.ZaaksysteemFiling`), in Dutch
FILING_STATUS_NAMES = {
    "filed": "vastgelegd",
    "pending": "wordt vastgelegd",
    "retrying": "mislukt, wordt opnieuw geprobeerd",
    "failed": "mislukt, de coördinator van Veilig Thuis is ingelicht",
}

SOURCE = "huisverbod:"  # the prefix of a huisverbod's notice keys (`huisverbod:<id>:…`)
AUDIENCE = "zaaksysteem"
CHANNEL = "zgw"
CRS = "EPSG:4326"  # the Zaken API wants Accept-Crs and Content-Crs on a zaak, geometry or not
CONFIDENTIAL = "vertrouwelijk"
BESTUURSORGAAN = "burgemeester"
AUTHOR = "ketenregie"
# how far the zaaksysteem's clock may lag ours: Open Zaak refuses a status dated after its own
# now (`DateNotInFutureValidator`, leeway `TIME_LEEWAY`, 0 s by default) and a besluit dated
# after its today (`UntilTodayValidator`), so a moment is filed no later than now - MARGIN
MARGIN = timedelta(seconds=30)
# a besluit of the ban that a withdrawal or a lifting by the court ends before its time
CUT_SHORT = "ingetrokken_overheid"
# what a besluit's PATCH carries unchanged besides its change: its schema's required fields
BESLUIT_REQUIRED = ("verantwoordelijkeOrganisatie", "besluittype", "datum", "ingangsdatum")


class Filing(BaseModel):
    """What one event of the ban files: a besluit (with its written order) and a status."""

    besluit: BesluitKind | None = None
    order: OrderKind | None = None
    status: ZaakStatus
    resultaat: ZaakResultaat | None = None  # how the ban ended, before its last status


# event of the huisverbod (its timeline kind and notice subject) -> what is filed
FILINGS: dict[str, Filing] = {
    "huisverbod_requested": Filing(status="aangevraagd"),
    "huisverbod_imposed": Filing(besluit="oplegging", order="oplegging", status="opgelegd"),
    "huisverbod_refused": Filing(
        besluit="afwijzing", order="afwijzing", status="beeindigd", resultaat="afgewezen"
    ),
    "huisverbod_extended": Filing(besluit="verlenging", order="verlenging", status="verlengd"),
    "huisverbod_withdrawn": Filing(
        besluit="intrekking", order="intrekking", status="beeindigd", resultaat="ingetrokken"
    ),
    "huisverbod_expired": Filing(status="beeindigd", resultaat="afgelopen"),
    "huisverbod_lifted": Filing(status="beeindigd", resultaat="opgeheven"),
}

STATUS_NOTES = {
    "huisverbod_requested": "Verzoek van de politie om een tijdelijk huisverbod ontvangen",
    "huisverbod_imposed": "Tijdelijk huisverbod opgelegd",
    "huisverbod_refused": "Verzoek afgewezen; de zaak is afgehandeld",
    "huisverbod_extended": "Tijdelijk huisverbod verlengd",
    "huisverbod_withdrawn": "Tijdelijk huisverbod ingetrokken door de burgemeester",
    "huisverbod_expired": "Tijdelijk huisverbod afgelopen",
    "huisverbod_lifted": "Tijdelijk huisverbod opgeheven door de rechter",
}

BESLUIT_NOTES: dict[BesluitKind, str] = {
    "oplegging": "Oplegging van een tijdelijk huisverbod (Wth art. 2 lid 1)",
    "afwijzing": "Afwijzing van het verzoek om een tijdelijk huisverbod",
    "verlenging": "Verlenging van het tijdelijk huisverbod (Wth art. 9 lid 1)",
    "intrekking": "Intrekking van het tijdelijk huisverbod (Wth art. 2 lid 9)",
}

SUFFIX: dict[BesluitKind, str] = {
    "oplegging": "OPL",
    "afwijzing": "AFW",
    "verlenging": "VERL",
    "intrekking": "INT",
}


class Step(BaseModel):
    """One event of the ban to file, with what it needs."""

    event: str
    at: datetime
    filing: Filing
    number: int = 0  # the extension's number (1, 2, …) for a verlenging
    starts: datetime | None = None  # ingangsdatum of its besluit
    ends: datetime | None = None  # vervaldatum of its besluit, where the ban has an end

    @property
    def ends_ban(self) -> bool:
        """A withdrawal or a lifting: the ban's besluiten end with it."""
        return self.event in ("huisverbod_withdrawn", "huisverbod_lifted")

    @property
    def key(self) -> str:
        """Names the step's resources in our bookkeeping (a besluit, its order, a status)."""
        besluit = self.filing.besluit
        if besluit is None:
            return f"{self.filing.status}:{self.at.isoformat()}"
        return f"{besluit}{self.number or ''}"


def huisverbod_of(notice_key: str) -> str | None:
    """The huisverbod a notice key belongs to (`huisverbod:<id>:<subject>:<moment>`)."""
    if not notice_key.startswith(SOURCE):
        return None
    return notice_key.removeprefix(SOURCE).split(":", 1)[0] or None


def steps(hv: HuisverbodSnapshot, policy: HuisverbodPolicy, until: datetime) -> list[Step]:
    """What the ban's timeline calls for up to and including `until`, oldest first. A filing
    always files every earlier step too, so events delivered side by side (or out of order)
    still leave the statuses in the order the ban went through them."""
    out: list[Step] = []
    extensions = 0
    for e in sorted(hv.timeline, key=lambda e: e.at):
        filing = FILINGS.get(e.kind)
        if filing is None or e.at > until:
            continue
        step = Step(event=e.kind, at=e.at, filing=filing, starts=e.at)
        if e.kind == "huisverbod_imposed" and hv.imposed_at is not None:
            step.ends = policy.ban_end(hv.imposed_at)
        elif e.kind == "huisverbod_extended":
            extensions += 1
            step.number = extensions
            # it takes effect when the ten days (or the extension before it) end
            if extensions == 1 and hv.imposed_at is not None:
                step.starts = policy.ban_end(hv.imposed_at)
            elif 1 < extensions <= len(hv.extensions) + 1:
                step.starts = hv.extensions[extensions - 2].until
            if extensions <= len(hv.extensions):
                step.ends = hv.extensions[extensions - 1].until
        out.append(step)
    return out


def filed_moment(at: datetime, now: datetime, previous: datetime | None = None) -> datetime:
    """The moment a step is filed as (`datumStatusGezet`, the besluit's `datum`): its own,
    but never later than `now` less the zaaksysteem's clock MARGIN — a decision typed for a
    minute ahead is dated at its filing — and a second after the step filed before it at the
    least, so the statuses keep the ban's order (the zaak's status is the one dated last).
    Fixed once and stored: a retry files the same moment."""
    moment = min(at, now - MARGIN)
    return moment if previous is None else max(moment, previous + timedelta(seconds=1))


def cut_short(earlier: list[Step], step: Step) -> list[tuple[Step, dict[str, Any]]]:
    """What a withdrawal or a lifting (`step`) changes in the besluiten filed before it: each
    that would still run afterwards now ends on its day (never before its own ingangsdatum),
    withdrawn by the government (Besluiten API `vervalreden`)."""
    if not step.ends_ban:
        return []
    out = []
    for e in earlier:
        if e.filing.besluit is None or e.ends is None or e.ends <= step.at:
            continue
        ends = max(step.at, e.starts or e.at)
        out.append((e, {"vervaldatum": day(ends), "vervalreden": CUT_SHORT}))
    return out


# the codes of the zaaksysteem's refusals that ketenregie's users meet, in Dutch
PROBLEM_CODES = {
    "date-in-future": "een datum ligt volgens de klok van het zaaksysteem in de toekomst",
    "permission_denied": "ketenregie mist een scope in het zaaksysteem",
    "missing-zaaktype-informatieobjecttype-relation": (
        "het documenttype hoort in de catalogus niet bij het zaaktype"
    ),
    "archiefactiedatum-error": "het resultaattype heeft geen archiefinstellingen",
    "resultaat-does-not-exist": "de zaak heeft nog geen resultaat",
    "max_vertrouwelijkheidaanduiding": (
        "de vertrouwelijkheid gaat boven wat ketenregie in het zaaksysteem mag"
    ),
    "unique": "bestaat al in het zaaksysteem",
    "does_not_exist": "bestaat niet in het zaaksysteem",
    "not_authenticated": "het zaaksysteem herkent ketenregie niet (client-id of geheim)",
}
# codes of a refusal that time cures (the zaaksysteem's clock catches up): retried
CURABLE = {"date-in-future"}


def problem(status: int, body: Any) -> tuple[str, set[str]]:
    """A refusal of the zaaksysteem in Dutch, for the mayor's office and the coordinator: its
    `detail` (what to fix, in the server's words) and the names and codes of its invalid
    parameters with what each code means — never the values — and the codes found."""
    if not isinstance(body, dict):
        return f"antwoord {status}", set()
    params = [p for p in body.get("invalidParams") or [] if isinstance(p, dict)]
    codes = {str(p.get("code")) for p in params} | {str(body.get("code") or "")}
    parts = [str(body.get("detail") or body.get("title") or "").strip()]
    for p in params:
        code = str(p.get("code"))
        meaning = PROBLEM_CODES.get(code)
        parts.append(f"{p.get('name')}: {code}" + (f" ({meaning})" if meaning else ""))
    if not params and (meaning := PROBLEM_CODES.get(str(body.get("code")))):
        parts.append(meaning)
    told = "; ".join(p for p in parts if p)
    return f"antwoord {status}" + (f": {told}" if told else ""), codes - {""}


def as_of(hv: HuisverbodSnapshot, step: Step) -> HuisverbodSnapshot:
    """The ban as it stood at `step`: the written order of the second extension is that of
    the second extension, even when a third followed before it was filed."""
    if step.number:
        return hv.model_copy(update={"extensions": hv.extensions[: step.number]})
    return hv


def day(at: datetime) -> str:
    """A ZGW date: the day on the Amsterdam calendar."""
    return at.astimezone(AMSTERDAM).date().isoformat()


def zaak_identificatie(huisverbod_id: str, case_number: str | None) -> str:
    """Our readable number of the ban's zaak: the case number with the huisverbod's short id
    (`VT-HGL-2026-000123-HV-1a2b3c4d`); at most 30 characters, so a besluit's or document's
    suffix keeps it within the 40 of the Zaken and Documenten APIs."""
    short = huisverbod_id.replace("-", "")[:8]
    if case_number and len(case_number) <= 22:
        return f"{case_number}-HV-{short}"
    return f"HV-{huisverbod_id.replace('-', '')[:27]}"


def besluit_identificatie(zaak: str, step: Step) -> str:
    assert step.filing.besluit is not None
    return f"{zaak}-{SUFFIX[step.filing.besluit]}{step.number or ''}"


def zaak_body(cfg: Zaaksysteem, identificatie: str, hv: HuisverbodSnapshot) -> dict[str, Any]:
    return {
        "identificatie": identificatie,
        "bronorganisatie": cfg.rsin,
        "verantwoordelijkeOrganisatie": cfg.rsin,
        "zaaktype": cfg.zaaktype,
        "omschrijving": "Tijdelijk huisverbod (Wet tijdelijk huisverbod)",
        "toelichting": "Verzoek van de politie om een tijdelijk huisverbod; "
        "het dossier staat in ketenregie.",
        "startdatum": day(hv.requested_at),
        "registratiedatum": day(hv.requested_at),
        "vertrouwelijkheidaanduiding": CONFIDENTIAL,
        "kenmerken": [{"kenmerk": hv.huisverbod_id, "bron": AUTHOR}],
    }


RESULTAAT_NOTES: dict[ZaakResultaat, str] = {
    "afgewezen": "Het verzoek om een tijdelijk huisverbod is afgewezen",
    "afgelopen": "Het tijdelijk huisverbod is afgelopen",
    "ingetrokken": "Het tijdelijk huisverbod is ingetrokken door de burgemeester",
    "opgeheven": "Het tijdelijk huisverbod is opgeheven door de rechter",
}


def resultaat_body(cfg: Zaaksysteem, zaak_url: str, resultaat: ZaakResultaat) -> dict[str, Any]:
    return {
        "zaak": zaak_url,
        "resultaattype": cfg.resultaattypen[resultaat],
        "toelichting": RESULTAAT_NOTES[resultaat],
    }


def status_body(cfg: Zaaksysteem, zaak_url: str, step: Step, at: datetime) -> dict[str, Any]:
    return {
        "zaak": zaak_url,
        "statustype": cfg.statustypen[step.filing.status],
        "datumStatusGezet": at.isoformat(),
        "statustoelichting": STATUS_NOTES[step.event],
    }


def besluit_body(
    cfg: Zaaksysteem, identificatie: str, zaak_url: str, step: Step, at: datetime
) -> dict[str, Any]:
    kind = step.filing.besluit
    assert kind is not None
    body: dict[str, Any] = {
        "identificatie": identificatie,
        "verantwoordelijkeOrganisatie": cfg.rsin,
        "besluittype": cfg.besluittypen[kind],
        "zaak": zaak_url,
        # the day by UTC: the Besluiten API refuses a date after *its* today, and Open Zaak's
        # today is the UTC date (`UntilTodayValidator`), an hour or two behind Amsterdam's
        "datum": at.astimezone(UTC).date().isoformat(),
        "toelichting": BESLUIT_NOTES[kind],
        "bestuursorgaan": BESTUURSORGAAN,
        "ingangsdatum": day(step.starts or at),
    }
    if step.ends is not None:
        body["vervaldatum"] = day(step.ends)
        body["vervalreden"] = "tijdelijk"
    return body


def document_body(
    cfg: Zaaksysteem, identificatie: str, title: str, municipality: str, at: datetime, pdf: bytes
) -> dict[str, Any]:
    return {
        "identificatie": identificatie,
        "bronorganisatie": cfg.rsin,
        "creatiedatum": day(at),
        "titel": title,
        "vertrouwelijkheidaanduiding": CONFIDENTIAL,
        "auteur": f"Burgemeester van {municipality}",
        "status": "definitief",
        "formaat": "application/pdf",
        "taal": "dut",
        "bestandsnaam": f"{identificatie}.pdf",
        "inhoud": base64.b64encode(pdf).decode("ascii"),
        # set, not null: the Zaken API closes a zaak only when every document of it says
        # whether rights of use other than consulting apply (none here)
        "indicatieGebruiksrecht": False,
        "informatieobjecttype": cfg.informatieobjecttype,
    }


def zaakinformatieobject_body(zaak_url: str, document_url: str, title: str) -> dict[str, Any]:
    return {"zaak": zaak_url, "informatieobject": document_url, "titel": title}


def besluitinformatieobject_body(besluit_url: str, document_url: str) -> dict[str, Any]:
    return {"besluit": besluit_url, "informatieobject": document_url}


def jwt_claims(client_id: str, now: datetime) -> dict[str, Any]:
    """The claims of the JWT the ZGW APIs authenticate a client by (HS256, the client's
    secret): the client, and ketenregie as the user acting."""
    return {
        "iss": client_id,
        "iat": int(now.timestamp()),
        "client_id": client_id,
        "user_id": AUTHOR,
        "user_representation": "ketenregie (keten huiselijk geweld en kindermishandeling)",
    }


# the order of the ban's statuses: the statustypen's volgnummers must follow it
STATUS_ORDER: tuple[ZaakStatus, ...] = ("aangevraagd", "opgelegd", "verlengd", "beeindigd")


def catalogue_urls(cfg: Zaaksysteem) -> dict[str, str]:
    """Every type the configuration names, by what it is for (in Dutch), to read from the
    Catalogi API."""
    return {
        "het zaaktype": cfg.zaaktype,
        "het documenttype": cfg.informatieobjecttype,
        **{f"het besluittype {k}": url for k, url in cfg.besluittypen.items()},
        **{f"het statustype {k}": url for k, url in cfg.statustypen.items()},
        **{f"het resultaattype {k}": url for k, url in cfg.resultaattypen.items()},
    }


def catalogue_problems(cfg: Zaaksysteem, found: dict[str, dict | None]) -> list[str]:
    """What is missing in the municipality's catalogue for ketenregie's filings, in Dutch:
    `found` holds each type of `catalogue_urls` as the Catalogi API answered it (None: it
    does not exist). Each finding names the type and what to fix; none when all is well."""
    out: list[str] = []
    types = catalogue_urls(cfg)
    for name, url in types.items():
        t = found.get(url)
        if t is None:
            out.append(f"{name} bestaat niet in de catalogus ({url})")
        elif t.get("concept"):
            out.append(f"{name} is niet gepubliceerd (nog een concept)")
    zaaktype = found.get(cfg.zaaktype) or {}
    if zaaktype and cfg.informatieobjecttype not in zaaktype.get("informatieobjecttypen", []):
        out.append(
            "het documenttype hoort niet bij het zaaktype (zaaktype-informatieobjecttypen): "
            "een beschikking kan niet aan de zaak gekoppeld worden"
        )
    for kind, url in cfg.besluittypen.items():
        if zaaktype and url not in zaaktype.get("besluittypen", []):
            out.append(f"het besluittype {kind} staat niet bij het zaaktype")
    numbers = [
        (found.get(cfg.statustypen[k]) or {}).get("volgnummer")
        for k in STATUS_ORDER
        if k in cfg.statustypen
    ]
    if None not in numbers and numbers != sorted(numbers):
        out.append(
            "de statustypen staan niet in de volgorde van het huisverbod "
            "(aangevraagd, opgelegd, verlengd, beëindigd)"
        )
    for kind, url in cfg.resultaattypen.items():
        t = found.get(url)
        archive = (t or {}).get("brondatumArchiefprocedure") or {}
        if t is not None and not (
            t.get("archiefnominatie")
            and t.get("archiefactietermijn")
            and archive.get("afleidingswijze")
        ):
            out.append(
                f"het resultaattype {kind} heeft geen archiefinstellingen (archiefnominatie, "
                "archiefactietermijn, afleidingswijze): de zaak kan niet worden afgesloten"
            )
    return out
