"""The inzageverzoek and the correction (AVG art. 15 and 16): what Veilig Thuis holds about one
person, gathered from the files of the region in which the person appears, and a correction
of the person's own data that keeps the old value.

Pure functions: the service reads the files, the outbox and the access log; these decide what
of it concerns the person and what must be masked. Art. 15 lid 4: the copy may not harm the
rights of others, so the other people in a file (the other party, the children, the reporter)
appear by their role only, never by name or address, and whatever identifies them is masked
in every text (`domain.inzage_mask`). One export is about one person: several files join only
when they hold the same person by name and birth date (`one_person`).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.access import ACTION_DENIED, ROLE_NAMES
from domain.advice import STATUSES as ADVICE_STATUS_NAMES
from domain.case import PERSON_ROLE_NAMES, PHASE_NAMES, REPORTER_NAMES
from domain.catalogue import CATALOGUE, Catalogue
from domain.inzage_mask import MASK_KIND_NAMES, MASKED, Masker, MaskKind
from domain.models import PastDate, ShortText, Strict, Text
from domain.names import PersonName, fold
from domain.notifications import subject_title
from domain.workdays import dutch_time

FileKind = Literal["case", "advice"]
FILE_NAMES = {"case": "casus", "advice": "adviesvraag"}
PERSON_ID = r"^(case|advice)\.[0-9a-f]{1,64}\.[A-Za-z0-9_-]{1,40}$"  # a `PersonKey` written out
CORRECTABLE = {"name": "naam", "birth_date": "geboortedatum", "address": "adres"}


class PersonKey(BaseModel):
    """One person in one file, written "case.<id>.<ref>" or "advice.<id>.<ref>": the same
    human in two files is two keys, which the privacy officer puts together."""

    model_config = ConfigDict(frozen=True)

    kind: FileKind
    file_id: str
    ref: str

    def __str__(self) -> str:
        return f"{self.kind}.{self.file_id}.{self.ref}"

    @classmethod
    def parse(cls, text: str) -> PersonKey | None:
        if not re.fullmatch(PERSON_ID, text):
            return None
        kind, file_id, ref = text.split(".")
        return cls(kind=kind, file_id=file_id, ref=ref)


# --- masking (art. 15 lid 4): `domain.inzage_mask` ---


def masked_other(person: dict[str, Any]) -> OtherPerson:
    """Another person of the file: the role stays, who it is does not."""
    return OtherPerson(
        role=PERSON_ROLE_NAMES.get(person.get("role", ""), "andere betrokkene"),
        name=MASKED,
        address=MASKED if person.get("address") else None,
    )


def concerns(detail: str, ref: str, other_refs: list[str]) -> bool:
    """A timeline entry concerns the person when it names them, or names nobody (it is about
    the whole file); an entry about another person alone does not."""

    def names(r: str) -> bool:
        return re.search(rf"(?<![\w-]){re.escape(r)}(?![\w-])", detail) is not None

    return names(ref) or not any(names(r) for r in other_refs if r != ref)


# --- the export ---

DELIVERY_NAMES = {
    "sent": "verzonden",
    "pending": "nog te verzenden",
    "sending": "wordt verzonden",
    "failed": "niet bezorgd",
}
CHANNEL_NAMES = {"email": "e-mail", "webhook": "berichtkoppeling"}


def action_name(action: str) -> str:
    """What an access did, in words: the action as its refusal names it, without the "not"
    ("case.read": "casus lezen")."""
    denied = ACTION_DENIED.get(action)
    if denied is None:
        return action
    for no in ("geen ", "niet "):
        if denied.startswith(no):
            return denied.removeprefix(no)
    return denied.replace(" niet ", " ")


def reader(role: str, organisation: str) -> str:
    """Who read or changed a person's data, as the person is told it (AVG art. 15 lid 1 c):
    the role and organisation, never the sign-in id of a staff member."""
    return f"{ROLE_NAMES.get(role, 'medewerker')}, {organisation}"


def recipients(recipient: str, deliveries: list[dict[str, Any]], name_of) -> list[str]:
    """To whom a notice went and how: one line per delivery; `name_of(partner_id, audience)`
    names the organisation. A notice nobody could be found for says so."""
    if not deliveries:
        return [f"{name_of(None, recipient)}: geen ontvanger bekend, niet verzonden"]
    return [
        f"{name_of(d['partner_id'], d['audience'])} per "
        f"{CHANNEL_NAMES.get(d['channel'], d['channel'])}: "
        f"{DELIVERY_NAMES.get(d['status'], d['status'])}"
        for d in deliveries
    ]


class OtherPerson(BaseModel):
    role: str
    name: str
    address: str | None = None


class OwnData(BaseModel):
    """The person's own data as the file holds it."""

    ref: str
    role: str
    name: str
    birth_date: date | None = None
    bsn: str | None = None
    address: str | None = None


class EntryOut(BaseModel):
    at: datetime
    text: str


class NoticeOut(BaseModel):
    """A notice about the file, and to whom it went (organisations, never persons)."""

    at: datetime
    subject: str
    detail: str
    recipients: list[str] = Field(description="who was told, and how, with the delivery status")


class AccessOut(BaseModel):
    """Who read or changed the data, as organisation and role: the recipients of AVG art. 15
    lid 1 c are organisations, and a sign-in id tells the person nothing (and names a staff
    member to the person they work on)."""

    at: datetime
    who: str = Field(description="the role and organisation that read or changed the data")
    organisation: str
    role: str
    action: str
    outcome: int


class CorrectionOut(BaseModel):
    at: datetime
    field: str = Field(description="what was corrected, in Dutch: naam, geboortedatum, adres")
    old_value: str | None
    new_value: str | None
    reason: str
    by: str = Field(description="the role and organisation that corrected it")


class MaskOut(BaseModel):
    """What was masked where, never what: the officer checks it, the person can see that
    something of another was left out."""

    field: str = Field(description="where in this file: content[0], timeline[2], notices[1].detail")
    kind: MaskKind
    kind_name: str
    count: int


class FileExport(BaseModel):
    kind: FileKind
    kind_name: str
    file_id: str
    person_id: str
    number: str | None = Field(None, description="the case number, for a case")
    opened_at: datetime
    status: str = Field(description="how the file stands, in Dutch")
    person: OwnData
    others: list[OtherPerson]
    reported_by: str | None = Field(None, description="the kind of reporter or asker")
    content: list[str] = Field(description="the summary or question and advice texts, masked")
    timeline: list[EntryOut]
    notices: list[NoticeOut]
    corrections: list[CorrectionOut]
    access: list[AccessOut]
    masks: list[MaskOut] = Field(description="what was masked in the texts above, by kind")


class SubjectOut(BaseModel):
    """Whose export this is, and how they were found in each file."""

    name: str
    birth_date: date | None
    identified_by: str = Field(description="how the files were joined to this one person")
    files: list[str] = Field(description="the files, by kind and number")


class InzageExport(BaseModel):
    region: str
    region_name: str | None = Field(None, description="the Veilig Thuis organisation, by name")
    generated_at: datetime
    subject: SubjectOut
    files: list[FileExport]


def file_label(kind: FileKind, number: str | None, file_id: str) -> str:
    return f"{FILE_NAMES[kind]} {number or file_id[:8]}"


def one_person(persons: list[dict[str, Any]]) -> str | None:
    """Why these persons (one from each file) cannot be one export, or None when they are
    the same person: the same name however written (`domain.names.fold`) and the same birth
    date, known in each file. Two people who share a name are never joined without it."""
    if len(persons) < 2:
        return None
    if any(not p.get("birth_date") for p in persons):
        return (
            "een export gaat over één persoon: dossiers worden alleen samengevoegd als de "
            "geboortedatum in elk ervan bekend is; maak per dossier een export"
        )
    if len({" ".join(fold(p["name"]).split()) for p in persons}) > 1:
        return "een export gaat over één persoon: de gekozen personen hebben niet dezelfde naam"
    if len({str(p["birth_date"]) for p in persons}) > 1:
        return (
            "een export gaat over één persoon: de gekozen personen hebben niet dezelfde "
            "geboortedatum"
        )
    return None


def subject_of(files: list[FileExport]) -> SubjectOut:
    """Whose export it is (the persons of `files` are one, `one_person`)."""
    first = files[0].person
    labels = [file_label(f.kind, f.number, f.file_id) for f in files]
    how = "naam en geboortedatum" if first.birth_date else "naam"
    return SubjectOut(
        name=first.name,
        birth_date=first.birth_date,
        identified_by=(
            f"gevonden op {how} in {len(files)} dossier(s) van de regio en door de "
            "functionaris gegevensbescherming als deze ene persoon gekozen"
            + (": in elk dossier dezelfde naam en geboortedatum" if len(files) > 1 else "")
        ),
        files=labels,
    )


FIELD_NAMES = {"content": "inhoud", "timeline": "verloop", "notices": "bericht"}


def review(f: FileExport) -> list[dict[str, Any]]:
    """For the officer, before the export goes out: each text in which something was masked
    or withheld, as the person will read it, and what kind of thing was hidden."""
    texts: dict[str, str] = {f"content[{i}]": t for i, t in enumerate(f.content)}
    texts |= {f"timeline[{i}]": e.text for i, e in enumerate(f.timeline)}
    for i, n in enumerate(f.notices):
        texts |= {f"notices[{i}].subject": n.subject, f"notices[{i}].detail": n.detail}
    found: dict[str, list[str]] = {}
    for m in f.masks:
        found.setdefault(m.field, []).append(f"{m.kind_name} ({m.count})")
    return [
        {"place": FIELD_NAMES[field.split("[")[0]], "text": texts[field], "kinds": kinds}
        for field, kinds in found.items()
    ]


def lives_at_the_house(person: dict[str, Any], ban: dict[str, Any]) -> bool:
    """Whether the police's request for a ban places `person` in the house it covers: the
    person ordered out, the victims left behind, and the children when the request says
    they live there (Wth art. 1 b: who live in the same house)."""
    return (
        person["ref"] == ban["pleger_ref"]
        or person.get("role") == "victim"
        or (person.get("role") == "child" and bool(ban.get("children_at_address")))
    )


def ban_texts(bans: list[dict[str, Any]]) -> list[str]:
    """What the police's requests for a ban and the mayor's decisions say about the people of
    the house (their facts and circumstances, Wth art. 2 lid 4 b), as the person reads them."""
    texts = []
    for b in bans:
        if b.get("grounds"):
            texts.append(
                "Verzoek van de politie om een tijdelijk huisverbod van "
                f"{dutch_time(b['requested_at'])}, feiten en omstandigheden: {b['grounds']}"
            )
        if b.get("reason"):
            texts.append(f"Besluit van de burgemeester op dat verzoek, reden: {b['reason']}")
    return texts


def file_export(
    key: PersonKey,
    file: dict[str, Any],
    *,
    texts: list[str],
    notices: list[dict[str, Any]],
    access: list[dict[str, Any]],
    corrections: list[dict[str, Any]],
    bans: list[dict[str, Any]] = (),
    catalogue: Catalogue = CATALOGUE,
) -> FileExport:
    """One file as the person may see it: their own data whole (their address as the file
    holds it: a person without one of their own who lives at the house a ban covers has
    that house's), the others by role only, the texts (with the police's grounds of a ban)
    with whatever identifies the others masked (and what was masked listed), the timeline
    entries that concern them."""
    persons = file["persons"]
    subject = next(p for p in persons if p["ref"] == key.ref)
    bans = [b for b in bans if lives_at_the_house(subject, b)]
    if not subject.get("address"):
        house = next((b["address"] for b in bans if b.get("address")), None)
        subject = {**subject, "address": house}
    others = [p for p in persons if p["ref"] != key.ref]
    masker = Masker(subject, others, file["opened_at"].date())
    other_refs = [p["ref"] for p in others]
    reporter = file.get("reporter") or file.get("asker") or {}
    masks: list[MaskOut] = []

    def mask(field: str, text: str) -> str:
        done = masker(text)
        for kind in dict.fromkeys(done.kinds):
            masks.append(
                MaskOut(
                    field=field,
                    kind=kind,  # type: ignore[arg-type]
                    kind_name=MASK_KIND_NAMES[kind],
                    count=done.kinds.count(kind),
                )
            )
        return done.text

    entries = [e for e in file["timeline"] if concerns(e["detail"], key.ref, other_refs)]
    statuses = PHASE_NAMES if key.kind == "case" else ADVICE_STATUS_NAMES
    return FileExport(
        kind=key.kind,
        kind_name=FILE_NAMES[key.kind],
        file_id=key.file_id,
        person_id=str(key),
        number=file.get("number"),
        opened_at=file["opened_at"],
        status=statuses.get(file["status"], "in behandeling"),
        person=OwnData(
            ref=subject["ref"],
            role=PERSON_ROLE_NAMES.get(subject["role"], subject["role"]),
            name=subject["name"],
            birth_date=subject.get("birth_date"),
            bsn=subject.get("bsn"),
            address=subject.get("address"),
        ),
        others=[masked_other(p) for p in others],
        reported_by=REPORTER_NAMES.get(reporter.get("kind", "")),
        content=[
            mask(f"content[{i}]", t)
            for i, t in enumerate(t for t in [*texts, *ban_texts(bans)] if t)
        ],
        timeline=[
            EntryOut(
                at=e["at"],
                text=mask(
                    f"timeline[{i}]",
                    e["detail"] or catalogue.labels.get(e["kind"], "gebeurtenis in het dossier"),
                ),
            )
            for i, e in enumerate(entries)
        ],
        notices=[
            NoticeOut(
                at=n["created_at"],
                subject=mask(
                    f"notices[{i}].subject", subject_title(catalogue, n["kind"], n["subject"])
                ),
                detail=mask(f"notices[{i}].detail", n["detail"]),
                recipients=n["recipients"],
            )
            for i, n in enumerate(notices)
        ],
        corrections=[
            CorrectionOut(**c | {"field": CORRECTABLE.get(c["field"], c["field"])})
            for c in corrections
        ],
        access=[AccessOut(**a) for a in access],
        masks=masks,
    )


# --- correction (art. 16) ---


class CorrectionIn(Strict):
    """The corrected value of one or more of the person's own data, and why."""

    name: PersonName | None = None
    birth_date: PastDate | None = None
    address: ShortText | None = None
    reason: Text = Field(description="why: the person's request, and what shows the data wrong")

    @model_validator(mode="after")
    def _something(self) -> CorrectionIn:
        if self.name is None and self.birth_date is None and self.address is None:
            raise ValueError("geef de juiste naam, geboortedatum of het juiste adres")
        return self


def corrected(person: dict[str, Any], c: CorrectionIn) -> tuple[dict[str, Any], list[tuple]]:
    """The person with the correction applied, and (field, old, new) of each value that
    changed; a value given as it already was changes nothing."""
    new = dict(person)
    changes = []
    for field in CORRECTABLE:
        value = getattr(c, field)
        if value is None:
            continue
        value = value.isoformat() if isinstance(value, date) else value
        if person.get(field) != value:
            changes.append((field, person.get(field), value))
            new[field] = value
    return new, changes
