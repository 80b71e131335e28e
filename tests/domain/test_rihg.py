"""The RiHG as the instrument is published: twenty signals in three parts, rated high, medium
or low risk; two "high" in one part point to a ban."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.huisverbod import HuisverbodRequestIn
from domain.rihg import PART_NAMES, SignalRating, assess, instrument


def rated(highs: list[str]) -> list[SignalRating]:
    return [
        SignalRating(signal=s.id, rating="high" if s.id in highs else "low")
        for s in instrument().signals
    ]


def test_twenty_signals_in_the_three_parts_with_their_source():
    found = instrument()
    assert len(found.signals) == 20
    assert (
        {s.part for s in found.signals} == set(PART_NAMES) == {"pleger", "incident", "achtergrond"}
    )
    assert "Risicotaxatie-instrument Huiselijk Geweld" in found.source


def test_two_high_in_one_part_point_to_a_ban():
    found = assess(rated(["incident_ernst", "incident_bedreiging"]))
    assert found.points_to_ban and found.unrated == 0
    assert "het geweldsincident (2 keer hoog)" in found.conclusion
    assert "in beginsel op een huisverbod" in found.conclusion


def test_two_high_in_different_parts_do_not():
    found = assess(rated(["pleger_wapens", "incident_ernst"]))
    assert not found.points_to_ban
    assert [p.highs for p in found.parts] == [1, 1, 0]
    assert "weegt alle feiten en omstandigheden" in found.conclusion


def test_the_mayor_sees_which_signals_were_not_rated():
    found = assess([SignalRating(signal="gezin_angst", rating="medium")])
    assert found.unrated == 19 and "19 van de 20 signalen zijn niet beoordeeld" in found.conclusion
    background = next(p for p in found.parts if p.part == "achtergrond")
    assert {s.signal: s.rating for s in background.signals}["gezin_angst"] == "medium"


REQUEST = {
    "pleger_ref": "p2",
    "address": "Voorbeeldstraat 1",
    "requested_by": {"organisation": "Politie", "officer": "Agent"},
    "grounds": "feiten",
    "children_at_address": False,
}


def test_a_request_names_known_signals_once_and_stays_valid_without_them():
    HuisverbodRequestIn(**REQUEST)  # clients of before the RiHG's signals
    ok = HuisverbodRequestIn(**REQUEST, rihg=[{"signal": "incident_wapen", "rating": "high"}])
    assert ok.rihg[0].rating == "high"
    with pytest.raises(ValidationError, match="onbekend signaal"):
        HuisverbodRequestIn(**REQUEST, rihg=[{"signal": "verzonnen", "rating": "high"}])
    twice = [{"signal": "incident_wapen", "rating": r} for r in ("high", "low")]
    with pytest.raises(ValidationError, match="meer dan eens"):
        HuisverbodRequestIn(**REQUEST, rihg=twice)
    with pytest.raises(ValidationError):
        HuisverbodRequestIn(**REQUEST, rihg=[{"signal": "incident_wapen", "rating": "yes"}])
