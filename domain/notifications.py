"""Who is told what: the one table of events and recipients, and the Handle with Care rules.

Pure functions: the notification activity reads the case file and the chain configuration,
these decide. Partners get the event and a reference, never case content; a school or
kinderopvang gets only the minimal Handle with Care notice.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel

from domain.access import org_name
from domain.chain import Chain, Partner, Region
from domain.models import Notice
from domain.policy import age_on
from domain.workdays import (
    AMSTERDAM,
    dutch_date,
    dutch_end,
    is_working_day,
    nth_working_day_after,
)

if TYPE_CHECKING:
    from domain.catalogue import Catalogue

# Who hears of each event is the catalogue's (`domain.catalogue`): every procedure brings
# its notices. Reminders go to the deadline's responsible team and escalations to the
# regional coordinator (see `audiences`).

PARTNER = "partner:"  # an audience naming one organisation by its partner id

# The organisations the workflows make responsible for a deadline (`Deadline.responsible`):
# a reminder goes to them whatever the case file says.
RESPONSIBLE = ("mayor_office", "police", "veilig_thuis", "court", "raad", "jeugdbescherming")

# Audiences known only from the case file; when the file names none, nobody is told.
WHERE_KNOWN = ("huisarts", "sociaal_wijkteam", "handle_with_care", "zaaksysteem")

# The CloudEvents `type` a partner's webhook receives (NL GOV profile for CloudEvents:
# reverse-DNS, named after the data source, not an organisation; Dutch names): each notice
# brings its own (`NoticeSpec.event_type`); a deadline's reminder and escalation are typed
# by their kind, the deadline is in the data. `domain.events.event_type` reads them.
TYPE_PREFIX = "nl.ketenregie"
DEADLINE_TYPES = {
    "reminder": "termijn.verloopt-binnenkort",
    "escalation": "termijn.verstreken",
}

# an e-mail carries its outbox key here (and a Message-ID derived from it): a receiving mail
# store drops a repeat by either
MAIL_KEY_HEADER = "X-Ketenregie-Idempotency-Key"
HANDLE_WITH_CARE = "Handle with Care"
LESSONS_START = time(8, 30)
SCHOOL_AGE = (4, 17)  # Handle with Care: children aged 4 up to and including 17
HANDLE_WITH_CARE_LATEST = timedelta(hours=24)


class Child(BaseModel):
    ref: str
    name: str
    birth_date: date | None = None
    care: str | None = None  # partner id of the child's school or kinderopvang


class CaseContacts(BaseModel):
    """What the case file knows about who is involved (read by the activity)."""

    municipality: str
    huisartsen: list[str] = []
    wijkteams: list[str] = []
    children: list[Child] = []
    worker_email: str | None = None  # the Veilig Thuis worker the case is assigned to
    number: str | None = None  # the case number people say (VT-HGL-2026-000001)


class Recipient(BaseModel):
    audience: str
    partner: Partner | None  # None: nobody of this kind is configured (a visible failure)
    role: str = "default"
    child: Child | None = None  # set for a Handle with Care notice
    email: str | None = None  # to this person rather than to the partner's channel


def audiences(catalogue: Catalogue, notice: Notice) -> tuple[str, ...]:
    if notice.kind == "reminder":
        return (notice.recipient,)
    if notice.kind == "escalation":
        return ("regional_coordinator",)
    if notice.recipient.startswith(PARTNER):  # one organisation, named by the notice
        return (notice.recipient,)
    # a notice of no table (its procedure was never registered) reaches the coordinator
    # rather than nobody, and never stops its workflow
    return catalogue.audiences.get((notice.kind, notice.subject), ("regional_coordinator",))


def next_school_day(at: datetime) -> date:
    """The first school day whose lessons start after `at` (weekends and public holidays
    skipped; school holidays differ per region and are not known here)."""
    local = at.astimezone(AMSTERDAM)
    day = local.date()
    if is_working_day(day) and local.time() < LESSONS_START:
        return day
    return nth_working_day_after(day, 1)


def handle_with_care_due(at: datetime) -> datetime:
    """Before lessons start on the next school day, and within 24 hours at the latest."""
    lessons = datetime.combine(next_school_day(at), LESSONS_START, AMSTERDAM)
    return min(lessons, at + HANDLE_WITH_CARE_LATEST)


def _handle_with_care(region: Region, child: Child, on: date) -> Recipient | None:
    care = next((p for p in region.partners if p.id == child.care), None)
    if care is None:
        return None
    age = age_on(child.birth_date, on) if child.birth_date else None
    if care.kind == "school" and (age is None or SCHOOL_AGE[0] <= age <= SCHOOL_AGE[1]):
        return Recipient(audience="handle_with_care", partner=care, child=child)
    if (
        care.kind == "kinderopvang"
        and region.handle_with_care_kinderopvang
        and (age is None or age < SCHOOL_AGE[0])
    ):
        return Recipient(audience="handle_with_care", partner=care, child=child)
    return None


def _known(region: Region, ids: list[str], kind: str) -> list[Partner]:
    return [p for p in region.partners if p.id in ids and p.kind == kind]


def recipients(
    catalogue: Catalogue, notice: Notice, region: Region, case: CaseContacts
) -> list[Recipient]:
    """Everyone `notice` must reach, in the order of the table."""
    out: list[Recipient] = []
    for audience in audiences(catalogue, notice):
        if audience == "handle_with_care":
            on = (notice.at or notice.due_at or datetime.now(AMSTERDAM)).astimezone(AMSTERDAM)
            found = (_handle_with_care(region, c, on.date()) for c in case.children)
            out.extend(r for r in found if r is not None)
        elif audience == "huisarts":
            out.extend(
                Recipient(audience=audience, partner=p)
                for p in _known(region, case.huisartsen, audience)
            )
        elif audience.startswith(PARTNER):  # one organisation: a plan action's owner
            out.extend(
                Recipient(audience=audience, partner=p)
                for p in region.partners
                if p.id == audience.removeprefix(PARTNER)
            )
        elif audience == "zaaksysteem":  # only where the mayor's office has one configured
            out.extend(
                Recipient(audience=audience, partner=p)
                for p in region.partners_of("mayor_office", case.municipality)
                if p.zaaksysteem is not None
            )
        elif audience == "sociaal_wijkteam":
            out.extend(
                Recipient(audience=audience, partner=p)
                for p in _known(region, case.wijkteams, audience)
            )
        else:
            kind, role = (
                ("veilig_thuis", "coordinator")
                if audience == "regional_coordinator"
                else (audience, "default")
            )
            partners = region.partners_of(kind, case.municipality) or [None]
            # a reminder of Veilig Thuis goes to the worker on the case; escalations go to
            # the coordinator (above) and the rest to the team
            worker = (
                case.worker_email
                if notice.kind == "reminder" and audience == "veilig_thuis"
                else None
            )
            out.extend(
                Recipient(audience=audience, partner=p, role=role, email=worker) for p in partners
            )
    return out


def handle_with_care_message(child: Child, contact: str) -> dict[str, str]:
    """All a school or kinderopvang is told: the child, the words, whom to contact. Nothing
    about the allegation, the pleger, the address or the police report."""
    return {
        "title": HANDLE_WITH_CARE,
        "child": child.name,
        "birth_date": dutch_date(child.birth_date) if child.birth_date else "onbekend",
        "contact": contact,
    }


def title(catalogue: Catalogue, notice: Notice) -> str:
    """What a notice is about, in Dutch: the event, or the deadline it reminds of."""
    return subject_title(catalogue, notice.kind, notice.subject)


def subject_title(catalogue: Catalogue, kind: str, subject: str) -> str:
    """`title` of a notice of `kind` about `subject` (an event or a deadline's key)."""
    if subject in catalogue.labels:
        return catalogue.labels[subject]
    deadline = catalogue.rules[subject].label if subject in catalogue.rules else subject
    if kind == "reminder":
        return f"Herinnering: termijn verloopt binnenkort ({deadline})"
    if kind == "escalation":
        return f"Escalatie: termijn verstreken ({deadline})"
    return deadline


def audience_name(audience: str) -> str:
    """An audience of the table (or one partner's id) in Dutch words."""
    return org_name(audience.removeprefix(PARTNER))


# The page of ketenregie where each audience that has pages reads what a notice is about;
# every other receiver is told without a link (it could not open one).
PAGES = {
    ("case", "veilig_thuis"): "/casus/{id}",
    ("case", "regional_coordinator"): "/casus/{id}",
    ("advice", "veilig_thuis"): "/adviesvragen/{id}",
    ("advice", "regional_coordinator"): "/adviesvragen/{id}",
    ("case", "mayor_office"): "/inbox",
}


def event_message(
    catalogue: Catalogue, notice: Notice, audience: str | None = None, number: str | None = None
) -> dict[str, str]:
    """What `audience` is told of an event: what happened, the case by the number people say
    (its id only when it has none) and, where it can open one, the page to look at; no case
    content."""
    page = PAGES.get((notice.about, audience or ""), "")
    return {
        "title": title(catalogue, notice),
        "about": "Adviesvraag" if notice.about == "advice" else "Casus",
        "case": number or notice.case_id,
        "region": notice.region,
        "detail": notice.detail,
        "due_at": dutch_end(notice.due_at) if notice.due_at else "",
        "page": page.format(id=notice.case_id),
    }


def undelivered(
    catalogue: Catalogue, notice: Notice, missed: list[tuple[str | None, str]], at: datetime
) -> Notice:
    """The escalation to the regional coordinator of a notice that did not reach every
    recipient; `missed` holds (partner id, audience) of each delivery that failed. Its key
    follows the notice's, so a notice is escalated once."""
    whom = ", ".join(sorted({partner or audience_name(audience) for partner, audience in missed}))
    return Notice(
        key=f"{notice.key}:undelivered",
        case_id=notice.case_id,
        about=notice.about,
        region=notice.region,
        kind="escalation",
        recipient="regional_coordinator",
        subject="notification_failed",
        at=at,
        detail=f"bericht '{title(catalogue, notice)}' kon niet worden bezorgd bij {whom}",
    )


def duties(catalogue: Catalogue) -> list[str]:
    """Every kind of organisation a legal notice or a reminder goes to without the case file
    naming it: the chain must have one for every municipality."""
    told = {a for audiences in catalogue.audiences.values() for a in audiences}
    # the coordinator is Veilig Thuis's; a `partner:` notice names its own receiver
    told -= {*WHERE_KNOWN, "regional_coordinator", PARTNER}
    return sorted(told | {"veilig_thuis", *RESPONSIBLE})


def unreachable(catalogue: Catalogue, chain: Chain) -> list[str]:
    """Who no legal duty can reach, in Dutch: per region the kinds of organisation it lacks
    for every municipality, then per municipality those it lacks for that one."""
    out = []
    kinds = duties(catalogue)
    for region in chain.regions:
        lacking = {
            m.name + f" ({m.code})": [k for k in kinds if not region.partners_of(k, m.code)]
            for m in region.municipalities
        }
        everywhere = [k for k in kinds if all(k in lack for lack in lacking.values())]
        if everywhere:
            out.append(f"{region.name}: {', '.join(org_name(k) for k in everywhere)}")
        out.extend(
            f"{region.name}, gemeente {name}: {', '.join(org_name(k) for k in rest)}"
            for name, kinds in lacking.items()
            if (rest := [k for k in kinds if k not in everywhere])
        )
    return out
