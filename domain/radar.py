"""The radar: is this melding about people Veilig Thuis has had contact with before?

Each person of a contact (a melding or an advice question) leaves keyed pseudonyms: an
HMAC of the normalised name with the birth date, and of the BSN when given. The key stays
with the API (settings), so a pseudonym cannot be recomputed from Temporal or a backup of
the database, and two spellings of one name ("José  de Vries", "jose de vries") match.
Pure: the store keeps the pseudonyms, `services.radar` matches them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from domain.names import fold

# birth dates as people write them: 1985-06-15, 15-06-1985, 15/6/1985, 15.06.1985, 19850615
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})$")
_YEAR_FIRST = re.compile(r"^(\d{4})[-/. ]?(\d{1,2})[-/. ]?(\d{1,2})$")


def normalise_name(name: str) -> str:
    """The name folded as everywhere (`domain.names.fold`: no accents, zero-width characters
    or look-alike letters), every run of punctuation or whitespace one space."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(name)).split())


def normalise_birth_date(value: date | str) -> date | None:
    """The date written in any of the usual ways; None when it is no date."""
    if isinstance(value, date):
        return value
    text = value.strip()
    if m := _DAY_FIRST.match(text):
        day, month, year = m.groups()
    elif m := _YEAR_FIRST.match(text):
        year, month, day = m.groups()
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def normalise_bsn(value: str) -> str | None:
    """Nine digits (a leading zero restored, spaces and dots dropped); None otherwise."""
    digits = re.sub(r"[\s.]", "", value)
    if not digits.isdigit() or not 8 <= len(digits) <= 9:
        return None
    return digits.zfill(9)


def pseudonyms(
    key: bytes, name: str | None, birth_date: date | str | None, bsn: str | None = None
) -> list[str]:
    """The keyed pseudonyms of one person. A name alone is too common to match on: without a
    birth date (or BSN) a person leaves none."""
    found = []
    born = normalise_birth_date(birth_date) if birth_date else None
    if name and born:
        found.append(_mac(key, f"name-birth:{normalise_name(name)}|{born.isoformat()}"))
    if bsn and (number := normalise_bsn(bsn)):
        found.append(_mac(key, f"bsn:{number}"))
    return found


def _mac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


class RepeatRule(BaseModel):
    """When repeated violence is flagged and MDA++ proposed to the coordinator (a notice;
    the referral stays the coordinator's follow-up decision)."""

    meldingen: int = Field(
        3, ge=2, description="this melding is at least the n-th within the window"
    )
    months: int = Field(12, ge=1, description="the window, counted back from this melding")
    during_huisverbod: bool = Field(
        True, description="a melding while a huisverbod about the same people runs"
    )

    def window_start(self, at: datetime) -> datetime:
        return at - timedelta(days=round(self.months * 365.25 / 12))


class EarlierContact(BaseModel):
    """An earlier contact about one of the same people: when, and how it ended (references
    and outcomes only, never the other file's content)."""

    kind: Literal["melding", "advice"]
    contact_id: str
    number: str | None = None
    region: str
    at: datetime
    phase: str | None = Field(None, description="a melding's phase, an advice question's status")
    outcome: str | None = Field(None, description="the last follow-up decision, if any")
    huisverbod_running: bool = False


def is_repeat(rule: RepeatRule, at: datetime, earlier: list[EarlierContact]) -> bool:
    """Whether a melding at `at` with these earlier contacts is repeated violence."""
    since = rule.window_start(at)
    recent = [e for e in earlier if e.kind == "melding" and since <= e.at <= at]
    if len(recent) + 1 >= rule.meldingen:
        return True
    return rule.during_huisverbod and any(e.huisverbod_running for e in earlier)


@dataclass(frozen=True)
class Radar:
    """The API process's radar configuration: the pseudonym key (never given to Temporal)
    and the repeat rule."""

    key: bytes = field(repr=False)
    rule: RepeatRule
