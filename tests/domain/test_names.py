"""One name however it was typed or pasted (F11): what is stored and what is searched are
normalised alike, and a search needs two letters."""

import pytest
from pydantic import ValidationError

from domain.case import PersonIn
from domain.names import fold, normalise_name, search_name


@pytest.mark.parametrize(
    "typed",
    [
        "Zoë de Vries",
        "Zoe\u0308 de Vries",  # decomposed
        "Zo\u200bë de\u00a0Vries",  # zero-width and non-breaking spaces
        "\u202eZoë de Vries\u202c",  # bidirectional controls
        "  Zoë   de\tVries ",
        "Zoë d\u0435 Vries",  # a Cyrillic е in a Latin word
        "Ｚｏë de Ｖｒｉｅｓ",  # fullwidth
    ],
)
def test_every_way_of_typing_a_name_is_the_same_name(typed):
    assert normalise_name(typed) == "Zoë de Vries"
    assert search_name(typed) == "Zoë de Vries"
    assert PersonIn(ref="p1", role="victim", name=typed).name == "Zoë de Vries"


def test_a_name_in_another_script_stays_and_a_word_still_mixing_scripts_is_refused():
    assert normalise_name("Иван Петров") == "Иван Петров"
    with pytest.raises(ValueError, match="mengt Latijnse letters"):
        normalise_name("AnЖa")
    with pytest.raises(ValidationError, match="een naam bestaat uit letters"):
        PersonIn(ref="p1", role="victim", name="\u200b\u200b")


@pytest.mark.parametrize("query", ["a ", "  ", "a\u200b", "1.", "Z\u0308"])
def test_a_search_needs_two_letters(query):
    with pytest.raises(ValueError, match="ten minste 2 letters"):
        search_name(query)


def test_folded_names_compare_without_case_or_accents():
    assert fold("ZOË  de Vries") == fold("zoe de vries") == "zoe de vries"
