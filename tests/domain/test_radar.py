"""The radar's pseudonyms (normalisation) and the repeat rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.chain import Chain, Municipality, Region
from domain.radar import (
    EarlierContact,
    RepeatRule,
    is_repeat,
    normalise_birth_date,
    normalise_bsn,
    normalise_name,
    pseudonyms,
)

KEY = b"k" * 32


@pytest.mark.parametrize(
    "written",
    [
        "José de Vries",
        "jose de vries",
        "  JOSÉ   de\tVRIES ",
        "Jose\u0301 De Vries",
        "josé-de vries",
    ],
)
def test_names_match_across_case_accents_whitespace(written):
    assert normalise_name(written) == "jose de vries"


@pytest.mark.parametrize(
    "written",
    ["1985-06-15", "15-06-1985", "15/6/1985", "15.06.1985", "19850615", date(1985, 6, 15)],
)
def test_birth_dates_match_across_formats(written):
    assert normalise_birth_date(written) == date(1985, 6, 15)


@pytest.mark.parametrize("written", ["31-02-1985", "gisteren", "1985"])
def test_what_is_no_date_gives_none(written):
    assert normalise_birth_date(written) is None


def test_bsn_keeps_nine_digits():
    assert normalise_bsn("1234.56.782") == "123456782"
    assert normalise_bsn("12345678") == "012345678"
    assert normalise_bsn("12a456789") is None


def test_one_person_written_two_ways_has_one_pseudonym():
    a = pseudonyms(KEY, "Ömer  Yılmaz", "1985-06-15")
    b = pseudonyms(KEY, "omer yılmaz", date(1985, 6, 15))
    assert a == b and len(a) == 1
    assert a != pseudonyms(KEY, "Omer Yilmaz", "1985-06-16")


def test_pseudonyms_are_keyed_and_name_alone_gives_none():
    assert pseudonyms(KEY, "Anna Bakker", "1990-01-01") != pseudonyms(
        b"x" * 32, "Anna Bakker", "1990-01-01"
    )
    assert pseudonyms(KEY, "Anna Bakker", None) == []
    assert len(pseudonyms(KEY, "Anna Bakker", "1990-01-01", "123456782")) == 2
    assert pseudonyms(KEY, None, None, "123456782") == pseudonyms(KEY, "x", None, "123456782")


NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def contact(days_ago: float, kind: str = "melding", running: bool = False) -> EarlierContact:
    return EarlierContact(
        kind=kind,
        contact_id=f"c{days_ago}",
        region="haaglanden",
        at=NOW - timedelta(days=days_ago),
        huisverbod_running=running,
    )


def test_third_melding_within_twelve_months_is_repeat():
    rule = RepeatRule()
    assert not is_repeat(rule, NOW, [contact(10)])
    assert is_repeat(rule, NOW, [contact(10), contact(300)])
    assert not is_repeat(rule, NOW, [contact(10), contact(400)])  # outside the window
    assert not is_repeat(rule, NOW, [contact(10), contact(20, kind="advice")])


def test_melding_while_a_huisverbod_runs_is_repeat_when_configured():
    assert is_repeat(RepeatRule(), NOW, [contact(500, running=True)])
    assert not is_repeat(RepeatRule(during_huisverbod=False), NOW, [contact(500, running=True)])


def test_the_rule_is_configurable():
    assert is_repeat(RepeatRule(meldingen=2, months=1), NOW, [contact(20)])
    assert not is_repeat(RepeatRule(meldingen=2, months=1), NOW, [contact(40)])


def test_regions_match_alone_unless_joined():
    def region(slug: str) -> Region:
        return Region(
            slug=slug,
            name=slug,
            municipalities=[Municipality(code="GM0001", name="x", arrondissement="Den Haag")],
        )

    chain = Chain(regions=[region("a"), region("b"), region("c")])
    assert chain.radar_regions("a") == ["a"]
    joined = chain.model_copy(update={"radar_joins": [["a", "b"]]})
    assert joined.radar_regions("a") == ["a", "b"]
    assert joined.radar_regions("c") == ["c"]
