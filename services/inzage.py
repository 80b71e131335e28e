"""The inzageverzoek and correction (AVG art. 15 and 16) for the region's privacy officer:
find a person in the region's cases and advice questions, export everything held about them
(their data, the timeline entries that concern them, the notices sent and to whom, and who
read their data), and correct their name, birth date or address keeping the old value.

Need-to-know: the officer's own region only. Every search, export and correction is in the
access log with the files and persons it touched (never a name: the log holds ids only)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from domain.access import ROLE_NAMES, org_name
from domain.inzage import (
    CORRECTABLE,
    FILE_NAMES,
    CorrectionIn,
    InzageExport,
    PersonKey,
    action_name,
    corrected,
    file_export,
    one_person,
    reader,
    recipients,
    subject_of,
)
from domain.names import search_name
from services import radar
from services.context import Caller, Parts
from services.errors import Refused, not_found, unprocessable
from store import access_log, inzage
from store import radar as radar_store

MAX_FOUND = 200
RADAR_KIND = {"case": "melding", "advice": "advice"}


def _region(caller: Caller) -> str:
    """The region whose files the caller may search: Veilig Thuis's own, nobody else's."""
    region = caller.scope.region if caller.principal.org_kind == "veilig_thuis" else None
    if region is None:
        raise not_found("regio")
    return region


def _touched(caller: Caller, key: PersonKey) -> None:
    if key.kind == "case":
        caller.audit.touches(key.file_id, [key.ref])
    else:
        caller.audit.touches_advice(key.file_id, [key.ref])


async def search(
    parts: Parts, caller: Caller, name: str | None, born: date | None
) -> list[dict[str, Any]]:
    """The persons of the region's files whose name contains `name` (case-insensitive) and,
    when given, who were born on `born`; each one found is logged as read. The name is
    searched as names are stored (`domain.names`), at least two letters of it."""
    region = _region(caller)
    if name is not None:
        try:
            name = search_name(name)
        except ValueError as e:
            raise Refused(400, str(e)) from None
    if name is None and born is None:
        raise unprocessable("geef (een deel van) een naam of een geboortedatum")
    async with parts.pool.acquire() as conn:
        rows = await inzage.find_persons(conn, region, name, born, MAX_FOUND)
    found = []
    for r in rows:
        person = r["person"]
        key = PersonKey(kind=r["kind"], file_id=r["file_id"], ref=person["ref"])
        _touched(caller, key)
        found.append(
            {
                "person_id": str(key),
                "kind": r["kind"],
                "kind_name": FILE_NAMES[r["kind"]],
                "file_id": r["file_id"],
                "number": r["number"],
                "municipality": r["municipality"],
                "opened_at": r["opened_at"],
                "role": person["role"],
                "name": person["name"],
                "birth_date": person.get("birth_date"),
                "address": person.get("address"),
            }
        )
    asked = " en ".join(w for w, v in (("naam", name), ("geboortedatum", born)) if v)
    caller.audit.detail = f"inzageverzoek: zoekopdracht op {asked}, {len(found)} gevonden"
    return found


def _name_of(parts: Parts):
    def name_of(partner_id: str | None, audience: str) -> str:
        found = parts.chain.organisation(partner_id) if partner_id else None
        return found.name if found else org_name(audience)

    return name_of


async def export(
    parts: Parts, caller: Caller, keys: list[PersonKey], form: str = "json"
) -> InzageExport:
    """Everything held about one person in each of `keys` (the same human in several files:
    the same name and birth date in each, `domain.inzage.one_person`, or 422), the others in
    those files masked; 404 for a file of another region or a person it lacks."""
    region = _region(caller)
    if not keys:
        raise unprocessable("kies ten minste één persoon")
    name_of = _name_of(parts)
    files = []
    async with parts.pool.acquire() as conn:
        found = {}
        for key in dict.fromkeys(keys):
            file = await inzage.get_file(conn, key, region)
            if file is None or all(p["ref"] != key.ref for p in file["persons"]):
                raise not_found(f"persoon {key}")
            found[key] = file
        reason = one_person(
            [next(p for p in f["persons"] if p["ref"] == k.ref) for k, f in found.items()]
        )
        if reason:
            raise unprocessable(reason)
        for key, file in found.items():
            if key.kind == "case":
                texts = [file["summary"]]
                log = await access_log.for_person(conn, key.file_id, key.ref)
                bans = [dict(b) for b in await inzage.bans_of(conn, key.file_id)]
            else:
                texts = [file["question"], *file["notes"]]
                log = await access_log.for_advice_person(conn, key.file_id, key.ref)
                bans = []
            sent = [
                {**n, "recipients": recipients(n["recipient"], n["deliveries"], name_of)}
                for n in map(dict, await inzage.notices_of(conn, key))
            ]
            files.append(
                file_export(
                    key,
                    file,
                    catalogue=parts.catalogue,
                    texts=texts,
                    notices=sent,
                    access=[
                        {
                            "at": e["at"],
                            "who": reader(e["role"], name_of(e["org"], e["org_kind"])),
                            "organisation": name_of(e["org"], e["org_kind"]),
                            "role": ROLE_NAMES.get(e["role"], "medewerker"),
                            "action": action_name(e["action"]),
                            "outcome": e["outcome"],
                        }
                        for e in log
                    ],
                    corrections=[
                        {
                            **c,
                            "by": reader("privacy_officer", name_of(c["org"], "veilig_thuis")),
                        }
                        for c in map(dict, await inzage.corrections_of(conn, key))
                    ],
                    bans=bans,
                )
            )
    for key in keys:
        _touched(caller, key)
    caller.audit.detail = f"inzageverzoek: export ({form}), {len(files)} dossier(s)"
    veilig_thuis = parts.chain.region(region)
    return InzageExport(
        region=region,
        region_name=veilig_thuis.name if veilig_thuis else None,
        generated_at=datetime.now(UTC),
        subject=subject_of(files),
        files=files,
    )


async def person(parts: Parts, caller: Caller, key: PersonKey) -> dict[str, Any]:
    """The person's data as the file holds it now (what a correction starts from); logged."""
    region = _region(caller)
    async with parts.pool.acquire() as conn:
        file = await inzage.get_file(conn, key, region)
    found = file and next((p for p in file["persons"] if p["ref"] == key.ref), None)
    if found is None:
        raise not_found(f"persoon {key}")
    _touched(caller, key)
    caller.audit.detail = "inzageverzoek: gegevens voor een correctie"
    return found


async def correct(
    parts: Parts, caller: Caller, key: PersonKey, body: CorrectionIn
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Correct the person's name, birth date or address (AVG art. 16): the file holds the new
    value, the corrections the old one with who, when and why; the radar matches on the new
    name and birth date from now on. Answers the corrected person and their corrections so
    far."""
    region = _region(caller)
    async with parts.pool.acquire() as conn, conn.transaction():
        file = await inzage.get_file(conn, key, region)
        person = file and next((p for p in file["persons"] if p["ref"] == key.ref), None)
        if person is None:
            raise not_found(f"persoon {key}")
        new, changes = corrected(person, body)
        if not changes:
            raise unprocessable("de gegevens staan al zo in het dossier; er is niets gecorrigeerd")
        p = caller.principal
        await inzage.correct(conn, key, new, changes, body.reason, p.subject, p.org)
        persons = [new if q["ref"] == key.ref else q for q in file["persons"]]
        kind = RADAR_KIND[key.kind]
        await radar_store.forget(conn, kind, key.file_id)
        await radar_store.remember(
            conn,
            kind,
            key.file_id,
            region,
            file["opened_at"],
            radar.person_pseudonyms(parts.radar, persons),
        )
        done = [dict(c) for c in await inzage.corrections_of(conn, key)]
    _touched(caller, key)
    fields = ", ".join(CORRECTABLE[f] for f, _, _ in changes)
    caller.audit.detail = f"correctie (AVG art. 16): {fields}"
    return new, done
