"""Persons' names as one text, however they were typed or pasted: what is stored, what is
searched and what is compared (the radar, the inzage's same-person check and masking) all
go through `normalise_name`, so "Zoë" typed, "Zoe" + a combining diaeresis pasted, a name
with a zero-width space or in fullwidth letters are the same name.

Look-alike letters: a word that mixes Latin letters with Cyrillic or Greek ones ("Аnna" with
a Cyrillic А) is almost always a paste or a trick, never a spelling; its look-alikes are
folded to the Latin letter they show, the same on write and on search, so the person stays
findable. A word still mixing scripts after that (a Cyrillic letter without a Latin twin in
a Latin word) is refused. A name wholly in Cyrillic or Greek stays as written.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

from domain.models import ShortText

# Cyrillic and Greek letters that look like a Latin one
LOOK_ALIKES = str.maketrans(
    "АВЕКМНОРСТХУІЈЅаеорсухіјѕԁԛԝёЁΑΒΕΖΗΙΚΜΝΟΡΤΥΧοικνα",
    "ABEKMHOPCTXYIJSaeopcyxijsdqwëËABEZHIKMNOPTYXoikva",
)
_FOREIGN = ("CYRILLIC", "GREEK")
MIN_SEARCH_LETTERS = 2


def _script(c: str) -> str | None:
    if not c.isalpha():
        return None
    name = unicodedata.name(c, "")
    return next((s for s in ("LATIN", *_FOREIGN) if name.startswith(s)), "OTHER")


def _mixes(word: str) -> bool:
    scripts = {s for c in word if (s := _script(c)) in ("LATIN", *_FOREIGN)}
    return "LATIN" in scripts and len(scripts) > 1


def _unmixed(word: str) -> str:
    return word.translate(LOOK_ALIKES) if _mixes(word) else word


def clean(text: str) -> str:
    """NFKC (composed accents, fullwidth and ligatures to plain letters), without format and
    control characters (zero-width spaces and joiners, bidirectional controls, soft
    hyphens), whitespace runs one space, look-alikes in a mixed-script word folded."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        " " if c.isspace() else c
        for c in text
        if c.isspace() or unicodedata.category(c) not in ("Cf", "Cc")
    )
    return " ".join(_unmixed(w) for w in text.split())


def normalise_name(name: str) -> str:
    """The name as it is stored and searched (`clean`); refused when a word still mixes
    scripts or when nothing of it is a letter."""
    cleaned = clean(name)
    if any(_mixes(w) for w in cleaned.split()):
        raise ValueError(
            "de naam mengt Latijnse letters met Cyrillische of Griekse; typ de naam opnieuw"
        )
    if letters(cleaned) == 0:
        raise ValueError("een naam bestaat uit letters")
    return cleaned


def letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def search_name(query: str) -> str:
    """A (part of a) name to search for, normalised; at least two letters, otherwise a
    search for "a " or two spaces would list everyone."""
    cleaned = normalise_name(query) if letters(clean(query)) else ""
    if letters(cleaned) < MIN_SEARCH_LETTERS:
        raise ValueError(f"zoek op ten minste {MIN_SEARCH_LETTERS} letters van de naam")
    return cleaned


def fold(text: str) -> str:
    """For comparing names: `clean`, lower case, accents dropped ("Zoë" and "ZOE" alike)."""
    decomposed = unicodedata.normalize("NFKD", clean(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# a person's name as a melding, advice question or correction gives it
PersonName = Annotated[ShortText, AfterValidator(normalise_name)]
