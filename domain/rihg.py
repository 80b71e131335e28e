"""The Risicotaxatie-instrument Huiselijk Geweld (RiHG): the instrument the police fill in for
a tijdelijk huisverbod, and what it concludes.

Twenty signals in three parts (the pleger, the incident, the family background), each rated
high, medium or low risk; the instrument's guidance: two "high" in one part point to a ban in
principle. The mayor decides on all the facts and circumstances (Wth art. 2 lid 1); the
conclusion is the instrument's, never the decision. The signals and their source are a data
file (`rihg.yaml`): their wording is ketenregie's rendering (see the file), the structure,
ratings and guidance the instrument's.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel

from domain.models import Strict

SIGNALS_FILE = Path(__file__).with_name("rihg.yaml")
SIGNAL_COUNT = 20
HIGHS_FOR_A_BAN = 2  # "high" ratings in one part that point to a ban

Part = Literal["pleger", "incident", "achtergrond"]
PART_NAMES: dict[str, str] = {
    "pleger": "de pleger",
    "incident": "het geweldsincident",
    "achtergrond": "de gezinsachtergrond",
}
Rating = Literal["high", "medium", "low"]
RATING_NAMES: dict[str, str] = {
    "high": "hoog risico",
    "medium": "middelmatig risico",
    "low": "laag risico",
}


class Signal(BaseModel):
    id: str
    part: Part
    label: str


class Instrument(BaseModel):
    source: str
    verified_wording: bool
    signals: list[Signal]


@cache
def instrument() -> Instrument:
    """The signals as the data file lists them, checked once: twenty, each id once, every
    part present."""
    found = Instrument.model_validate(yaml.safe_load(SIGNALS_FILE.read_text(encoding="utf-8")))
    ids = [s.id for s in found.signals]
    if len(ids) != SIGNAL_COUNT or len(set(ids)) != SIGNAL_COUNT:
        raise ValueError(f"{SIGNALS_FILE.name}: the RiHG has {SIGNAL_COUNT} distinct signals")
    if {s.part for s in found.signals} != set(PART_NAMES):
        raise ValueError(f"{SIGNALS_FILE.name}: every part of the RiHG has its signals")
    return found


def signals() -> dict[str, Signal]:
    return {s.id: s for s in instrument().signals}


class SignalRating(Strict):
    """One signal of the RiHG (by its id in `rihg.yaml`) and the risk the police rated it."""

    signal: str
    rating: Rating


def check_ratings(ratings: list[SignalRating]) -> list[SignalRating]:
    """Each rating names a signal of the instrument, and each signal is rated once."""
    known = signals()
    for r in ratings:
        if r.signal not in known:
            raise ValueError(f"onbekend signaal van de RiHG: {r.signal!r}")
    if len({r.signal for r in ratings}) < len(ratings):
        raise ValueError("een signaal van de RiHG is meer dan eens beoordeeld")
    return ratings


class RatedSignal(BaseModel):
    signal: str
    label: str
    rating: Rating | None  # None: not rated


class PartAssessment(BaseModel):
    part: Part
    name: str
    signals: list[RatedSignal]
    highs: int


class Assessment(BaseModel):
    """What the instrument says of a set of ratings: per part its signals with their rating,
    whether it points to a ban, and that in Dutch."""

    parts: list[PartAssessment]
    points_to_ban: bool
    unrated: int
    conclusion: str
    source: str


def assess(ratings: list[SignalRating]) -> Assessment:
    """The instrument's conclusion: a part with two or more "high" points to a ban."""
    given = {r.signal: r.rating for r in ratings}
    parts = []
    for part, name in PART_NAMES.items():
        rated = [
            RatedSignal(signal=s.id, label=s.label, rating=given.get(s.id))
            for s in instrument().signals
            if s.part == part
        ]
        highs = sum(1 for s in rated if s.rating == "high")
        parts.append(PartAssessment(part=part, name=name, signals=rated, highs=highs))
    heavy = [p for p in parts if p.highs >= HIGHS_FOR_A_BAN]
    unrated = sum(1 for p in parts for s in p.signals if s.rating is None)
    if heavy:
        where = " en ".join(f"{p.name} ({p.highs} keer hoog)" for p in heavy)
        conclusion = (
            f"Twee of meer signalen met hoog risico bij {where}: volgens het instrument wijst "
            "dit in beginsel op een huisverbod."
        )
    else:
        conclusion = (
            "In geen onderdeel twee signalen met hoog risico: het instrument wijst niet "
            "vanzelf op een huisverbod; de burgemeester weegt alle feiten en omstandigheden."
        )
    if unrated:
        conclusion += f" {unrated} van de {SIGNAL_COUNT} signalen zijn niet beoordeeld."
    return Assessment(
        parts=parts,
        points_to_ban=bool(heavy),
        unrated=unrated,
        conclusion=conclusion,
        source=instrument().source,
    )
