"""Other people masked in the free text of an inzage (AVG art. 15 lid 4): the copy a person
receives may not reveal who the others in the file are or where they can be found.

Two kinds of identifiers go: what the file knows of each other person (their name in any
spelling, their address and its parts, their birth date in any written form, their BSN),
always; and what looks like an identifier of anyone (a BSN, a phone number, an e-mail
address, a street with a house number, a postcode, a date that looks like a birth date),
unless it is the subject's own as the file holds it. The subject's own data is never masked
because another person shares it (a victim who lives at the pleger's address keeps it).

A passage about a hiding place (gevlucht, opvang, schuiladres, ...) is withheld whole: such a
place is often named without a house number ("zit in de opvang in Leiden") which no pattern
can tell from harmless words, and its disclosure is the one harm that cannot be undone. The
officer sees each withheld passage and each mask before the export goes out.

Matching is done on a folded copy of the text (lower case, no accents, look-alike letters
folded), mapped back to the original characters, so "ZOE DE VRIES" masks "Zoë de Vries".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from domain.names import LOOK_ALIKES

MASKED = "[afgeschermd]"
WITHHELD = "[passage achtergehouden]"
MaskKind = Literal[
    "name", "address", "postcode", "place", "bsn", "birth_date", "phone", "email", "withheld"
]
MASK_KIND_NAMES: dict[str, str] = {
    "name": "naam van een ander",
    "address": "adres",
    "postcode": "postcode",
    "place": "woonplaats bij een adres",
    "bsn": "BSN",
    "birth_date": "geboortedatum",
    "phone": "telefoonnummer",
    "email": "e-mailadres",
    "withheld": "passage over een verblijfplaats achtergehouden",
}
# name particles shared by many families: never masked on their own
PARTICLES = {"de", "den", "der", "van", "het", "ten", "ter", "te", "la", "le", "du", "op", "in"}
# a date this many years before the file that is no known date is taken for a birth date
BIRTH_DATE_AGE = 12

_PARTICLE = "(?:" + "|".join(sorted(PARTICLES, key=len, reverse=True)) + ")"
_HIDING = re.compile(
    r"\b(?:ge)?vlucht(?:te|ten|en)?\b|\b(?:crisis|nood|vrouwen|mannen)?opvang\w*|"
    r"blijf[\s-]?van[\s-]?mijn[\s-]?lijf|\bschuil(?:adres|plaats|plek|t|en)\b|"
    r"\bonderduik\w*|\bondergedoken|"
    r"geheim\w*\s+(?:adres|verblijf\w*|locatie)|verblijfadres|verblijfplaats|"
    r"veilige?\s+(?:plek|plaats|woning|adres)|safe\s*house|"
    r"\bverblij(?:f|ft|ven)\s+(?:nu|tijdelijk|bij|in)\b|\bondergebracht\b|\bgeplaatst\b",
)
_SENTENCE_END = re.compile(r"(?<=\w\w[.!?])\s+(?=[A-Z\"'(])|(?<=[!?])\s+|\n+")
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?31[\s.-]?(?:\(0\)[\s.-]?)?|\(?0)[1-9](?:[\s.)-]{0,2}\d){8}(?!\d)"
)
_BSN = re.compile(
    r"(?<![\w.-])(?:\d{3}[\s.-]?\d{3}[\s.-]?\d{3}|\d{4}[\s.-]?\d{2}[\s.-]?\d{3}|\d{8})(?![\w-])"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_POSTCODE = re.compile(r"(?<!\w)[1-9]\d{3}\s?[a-z]{2}(?!\w)")
MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4,
    "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_DATES = (
    (re.compile(r"(?<![\d-])(\d{1,2})\s?[-/.]\s?(\d{1,2})\s?[-/.]\s?(\d{4}|\d{2})(?!\d)"), "dmy"),
    (re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)"), "ymd"),
    (
        re.compile(
            rf"(?<!\d)(\d{{1,2}})\s+({'|'.join(sorted(MONTHS, key=len, reverse=True))})\.?"
            r"\s+(\d{4})(?!\d)"
        ),
        "dMy",
    ),
)
_BIRTH_CUE = re.compile(r"(?:geb\w*|geboren|geboortedatum|°|\*)\W{0,3}(?:op\s+)?$")
_STREET_WORDS = (
    "straat|str|weg|laan|plein|kade|gracht|singel|dijk|dreef|steeg|markt|park|plantsoen|hof"
    "|pad|baan|boulevard|lei|ring|wal|haven|erf|veld|burg|dam|kwartier|zijde|gang|hoek|berg"
    "|straatweg|pier|promenade|oord|hoven|rade|kamp|akker|weide|horst|donk|hout|hage|heem"
)
_NUMBER = r"\d{1,5}(?:\s?[a-z](?!\w)|\s?-\s?\d{1,4}|\s+(?:hs|bis|bg|i{1,3}|rood|zwart)(?!\w))?"
# a street with a house number, and the postcode and place that may follow it
# what joins a street and number to its place: a postcode, a comma, "in" or "te"
_AFTER_ADDRESS = re.compile(
    r"(?:\s*,?\s*[1-9]\d{3}\s?[a-z]{2}\s*,?\s*(?:(?:in|te)\s+)?|\s*,\s*|\s+(?:in|te)\s+)"
)
_STREET = re.compile(
    rf"(?<!\w)(?:[a-z][\w'-]*(?:{_STREET_WORDS})|(?:{_STREET_WORDS})\s+{_PARTICLE}"
    rf"(?:\s+[a-z][\w'-]*){{1,2}})\.?\s+{_NUMBER}"
    rf"(?:{_AFTER_ADDRESS.pattern}(?:den\s+|de\s+|'s[\s-]?)?[a-z][\w'-]+)?"
)
_PLACE_CUE = r"(?:in|te|naar|uit|bij|richting|vanuit|omgeving)\s+"


@dataclass(frozen=True)
class Masked:
    text: str
    kinds: tuple[str, ...]  # what each mask or withheld passage hid, in order


def _ignored(ch: str) -> bool:
    """Invisible in print: a combining mark, a zero-width or bidirectional control."""
    return unicodedata.combining(ch) > 0 or unicodedata.category(ch) in ("Cf", "Mn")


def _folded(text: str) -> tuple[str, list[int]]:
    """The text folded for matching (lower case, no accents, invisible characters dropped,
    every look-alike letter its Latin twin, every space a space), and for each of its
    characters the index of the original character it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            out.append(" ")
            where.append(i)
            continue
        for c in unicodedata.normalize("NFKD", ch.translate(LOOK_ALIKES)):
            if _ignored(c):
                continue
            for f in c.casefold():
                out.append(f)
                where.append(i)
    return "".join(out), where


def _fold(text: str) -> str:
    return _folded(text)[0]


def _words(text: str | None) -> list[str]:
    return [w for w in re.split(r"[\s,.;:()/'-]+", _fold(text or "")) if w]


def _flexible(words: list[str]) -> str:
    """Words in a row, with any spacing or punctuation between them."""
    return r"[\s,.'-]*".join(re.escape(w) for w in words)


def _whole(pattern: str) -> str:
    return rf"(?<!\w)(?:{pattern})(?!\w)"


def _digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


@dataclass(frozen=True)
class _Address:
    street: list[str]
    number: str | None
    postcode: str | None
    place: list[str]


def _address(text: str | None) -> _Address | None:
    if not text or not text.strip():
        return None
    folded = _fold(text)
    postcode = _POSTCODE.search(folded)
    rest = (folded[: postcode.start()] + "," + folded[postcode.end() :]) if postcode else folded
    parts = [p.strip() for p in rest.split(",") if p.strip()]
    street, number, place = parts[0] if parts else "", None, []
    if m := re.match(rf"(.*?)\s*({_NUMBER})\s*$", street):
        street, number = m.group(1), m.group(2)
    if len(parts) > 1:
        place = _words(parts[-1])
    return _Address(
        _words(street),
        re.sub(r"\s+", "", number) if number else None,
        re.sub(r"\s+", "", postcode.group()) if postcode else None,
        place,
    )


def _date_of(m: re.Match[str], order: str) -> date | None:
    a, b, c = m.groups()
    try:
        if order == "ymd":
            return date(int(a), int(b), int(c))
        year = int(c) if len(c) == 4 else 1900 + int(c)
        return date(year, MONTHS[b] if order == "dMy" else int(b), int(a))
    except (ValueError, KeyError):
        return None


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class Masker:
    """Masks what identifies the others of one file in the export of `subject`."""

    def __init__(self, subject: dict[str, Any], others: list[dict[str, Any]], on: date) -> None:
        self.on = on
        mine = _words(subject.get("name"))
        own_words = set(mine)
        # "A. de Vries" is the subject's own when she is Anna de Vries, whoever else shares it
        own_initials = {(mine[0][0], w) for w in mine} if mine else set()
        self.own_bsn = _digits(subject.get("bsn")) or None
        self.own_birth = _as_date(subject.get("birth_date"))
        own = _address(subject.get("address"))
        self.own_postcode = own.postcode if own else None
        self.own_street = (own.street, own.number) if own else None
        own_place = own.place if own else []
        self.other_bsns = {d for o in others if (d := _digits(o.get("bsn")))}
        self.other_births = {
            d for o in others if (d := _as_date(o.get("birth_date"))) and d != self.own_birth
        }
        # longest first: the alternation takes the first that matches where a match starts
        full: list[str] = []
        initials: list[str] = []
        parts: list[str] = []
        lines: list[str] = []
        streets: list[str] = []
        postcodes: list[str] = []
        places: list[str] = []
        for other in others:
            words = _words(other.get("name"))
            if words:
                full.append(_flexible(words))
                first = words[0][0]
                initials.extend(
                    rf"{first}\.?(?:\s?[a-z]\.)*\s*(?:{_PARTICLE}\s+)*{re.escape(surname)}"
                    for surname in words[1:]
                    if surname not in PARTICLES and (first, surname) not in own_initials
                )
                parts.extend(
                    rf"(?:{_PARTICLE}\s+)*{re.escape(w)}"
                    for w in words
                    if len(w) > 1 and w not in own_words | PARTICLES
                )
            where = _address(other.get("address"))
            if where is None or (where.street, where.number) == self.own_street:
                continue
            if where.street and where.number:
                line = rf"{_flexible(where.street)}\.?\s*{re.escape(where.number)}(?!\d)"
                if where.place:
                    line += rf"(?:{_AFTER_ADDRESS.pattern}{_flexible(where.place)})?"
                lines.append(line)
            if where.street and (len(where.street) > 1 or len(where.street[0]) >= 6):
                streets.append(_flexible(where.street))
            if where.postcode and where.postcode != self.own_postcode:
                postcodes.append(rf"{where.postcode[:4]}\s?{where.postcode[4:]}")
            if where.place and where.place != own_place:
                places.append(_flexible(where.place))
        names = sorted(full, key=len, reverse=True) + initials + parts
        addresses = lines + streets + postcodes
        self.names = re.compile(_whole("|".join(names))) if names else None
        self.addresses = re.compile(_whole("|".join(addresses))) if addresses else None
        self.places = (
            re.compile(rf"(?<!\w){_PLACE_CUE}({'|'.join(places)})(?!\w)") if places else None
        )

    def __call__(self, text: str) -> Masked:
        out: list[str] = []
        kinds: list[str] = []
        pos = 0
        for sep in [*_SENTENCE_END.finditer(text), None]:
            end = sep.start() if sep else len(text)
            sentence = text[pos:end]
            if _HIDING.search(_fold(sentence)):
                out.append(WITHHELD)
                kinds.append("withheld")
            else:
                masked = self._mask(sentence)
                out.append(masked.text)
                kinds.extend(masked.kinds)
            if sep:
                out.append(sep.group())
                pos = sep.end()
        return Masked("".join(out), tuple(kinds))

    def _spans(self, text: str, folded: str, where: list[int]) -> list[tuple[int, int, str]]:
        spans: list[tuple[int, int, str]] = []

        def add(pattern: re.Pattern[str] | None, kind: str, keep=lambda m: False, group=0):
            for m in pattern.finditer(folded) if pattern else ():
                if not keep(m):
                    spans.append((m.start(group), m.end(group), kind))

        add(self.names, "name")
        add(self.addresses, "address")
        add(self.places, "place", group=1)
        add(_EMAIL, "email")
        add(_PHONE, "phone")
        add(_BSN, "bsn", keep=lambda m: _digits(m.group()).zfill(9) == self.own_bsn)

        def no_postcode(m: re.Match[str]) -> bool:
            """The subject's own, or a year and a word ("2026 om"): a postcode's letters
            are capitals or follow its figures without a space."""
            letters = text[where[m.end() - 2] : where[m.end() - 1] + 1]
            spaced = " " in m.group()
            return m.group().replace(" ", "") == self.own_postcode or (
                spaced and not letters.isupper()
            )

        add(_POSTCODE, "postcode", keep=no_postcode)
        add(_STREET, "address", keep=self._own_street)
        for pattern, order in _DATES:
            for m in pattern.finditer(folded):
                if self._birth_date(_date_of(m, order), folded[max(0, m.start() - 20) : m.start()]):
                    spans.append((m.start(), m.end(), "birth_date"))
        return spans

    def _own_street(self, m: re.Match[str]) -> bool:
        found = _address(m.group())
        return found is not None and (found.street, found.number) == self.own_street

    def _birth_date(self, found: date | None, before: str) -> bool:
        """A known birth date of another, or one that looks like a birth date (named as one,
        or years before the file), unless it is the subject's own."""
        if found is None or found == self.own_birth:
            return False
        return (
            found in self.other_births
            or _BIRTH_CUE.search(before) is not None
            or found.year <= self.on.year - BIRTH_DATE_AGE
        )

    def _mask(self, text: str) -> Masked:
        folded, where = _folded(text)
        spans = sorted(self._spans(text, folded, where))
        merged: list[list[Any]] = []
        for start, end, kind in spans:
            # one mask for what overlaps or is only spacing apart ("Jan" "de Vries")
            if merged and (start <= merged[-1][1] or not folded[merged[-1][1] : start].strip()):
                merged[-1][1] = max(merged[-1][1], end)
                merged[-1][2] |= {kind}
                continue
            merged.append([start, end, {kind}])
        out: list[str] = []
        kinds: list[str] = []
        pos = 0
        for start, end, hidden in merged:
            a, b = where[start], where[end - 1] + 1
            while b < len(text) and _ignored(text[b]):  # an accent typed after its letter
                b += 1
            out.append(text[pos:a] + MASKED)
            kinds.extend(sorted(hidden))
            pos = b
        out.append(text[pos:])
        return Masked("".join(out), tuple(kinds))
