"""The inzageverzoek and the correction (AVG art. 15 and 16): what Veilig Thuis holds about one
person, gathered from the files of the region in which the person appears, and a correction
of the person's own data that keeps the old value.

Pure functions: the service reads the files, the outbox and the access log; these decide what
of it concerns the person and what must be masked. Art. 15 lid 4: the copy may not harm the
rights of others, so the other people in a file (the other party, the children, the reporter)
appear by their role only, never by name or address, and their names are masked in every text.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.access import ACTION_DENIED
from domain.case import PERSON_ROLE_NAMES, REPORTER_NAMES
from domain.models import PastDate, ShortText, Strict, Text

MASKED = "[afgeschermd]"
FileKind = Literal["case", "advice"]
FILE_NAMES = {"case": "casus", "advice": "adviesvraag"}
# name particles shared by many families: never masked on their own
PARTICLES = {"de", "den", "der", "van", "het", "ten", "ter", "te", "la", "le", "du", "op", "in"}
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


# --- masking (art. 15 lid 4) ---


def _words(name: str | None) -> list[str]:
    return [w for w in re.split(r"[\s,.;:()/]+", (name or "").lower()) if w]


def masked_terms(subject: dict[str, Any], others: list[dict[str, Any]]) -> list[str]:
    """What to hide in a text: each other person's full name and address, and each part of
    their name that is not also part of the subject's own (a shared surname stays: it is the
    subject's too) nor a particle; longest first, so a full name goes before its parts."""
    own = set(_words(subject.get("name")))
    terms: set[str] = set()
    for other in others:
        for whole in (other.get("name"), other.get("address")):
            if whole and whole.strip():
                terms.add(whole.strip())
        terms.update(
            w for w in _words(other.get("name")) if len(w) > 1 and w not in own | PARTICLES
        )
    return sorted(terms, key=lambda t: (-len(t), t))


def mask_text(text: str, terms: list[str]) -> str:
    """`text` with every term (case-insensitive, as a whole word) replaced by the mask."""
    for term in terms:
        text = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", MASKED, text, flags=re.IGNORECASE)
    return text


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
    at: datetime
    who: str = Field(description="the sign-in id of whoever read or changed the data")
    organisation: str
    role: str
    action: str
    outcome: int


class CorrectionOut(BaseModel):
    at: datetime
    field: str
    old_value: str | None
    new_value: str | None
    reason: str
    by: str


class FileExport(BaseModel):
    kind: FileKind
    kind_name: str
    file_id: str
    person_id: str
    number: str | None = Field(None, description="the case number, for a case")
    opened_at: datetime
    status: str
    person: OwnData
    others: list[OtherPerson]
    reported_by: str | None = Field(None, description="the kind of reporter or asker")
    content: list[str] = Field(description="the summary or question and advice texts, masked")
    timeline: list[EntryOut]
    notices: list[NoticeOut]
    corrections: list[CorrectionOut]
    access: list[AccessOut]


class InzageExport(BaseModel):
    region: str
    generated_at: datetime
    files: list[FileExport]


def file_export(
    key: PersonKey,
    file: dict[str, Any],
    *,
    texts: list[str],
    notices: list[dict[str, Any]],
    access: list[dict[str, Any]],
    corrections: list[dict[str, Any]],
) -> FileExport:
    """One file as the person may see it: their own data whole, the others masked, the
    texts with the others' names masked, the timeline entries that concern them."""
    persons = file["persons"]
    subject = next(p for p in persons if p["ref"] == key.ref)
    others = [p for p in persons if p["ref"] != key.ref]
    terms = masked_terms(subject, others)
    other_refs = [p["ref"] for p in others]
    reporter = file.get("reporter") or file.get("asker") or {}
    return FileExport(
        kind=key.kind,
        kind_name=FILE_NAMES[key.kind],
        file_id=key.file_id,
        person_id=str(key),
        number=file.get("number"),
        opened_at=file["opened_at"],
        status=file["status"],
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
        content=[mask_text(t, terms) for t in texts if t],
        timeline=[
            EntryOut(at=e["at"], text=mask_text(e["detail"] or e["kind"], terms))
            for e in file["timeline"]
            if concerns(e["detail"], key.ref, other_refs)
        ],
        notices=[
            NoticeOut(
                at=n["created_at"],
                subject=mask_text(n["subject"], terms),
                detail=mask_text(n["detail"], terms),
                recipients=n["recipients"],
            )
            for n in notices
        ],
        corrections=[CorrectionOut(**c) for c in corrections],
        access=[AccessOut(**a) for a in access],
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
