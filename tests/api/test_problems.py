"""pydantic's validation messages in Dutch, for the API's 400 and the pages' forms alike."""

from __future__ import annotations

from datetime import date
from typing import Literal

import pytest
from pydantic import BaseModel, Field, PastDate, ValidationError

from api.problems import MESSAGES, dutch_message, form_refusal, invalid_params
from domain.policy import RuleViolation
from services.errors import Refused


class Form(BaseModel):
    reason: str = Field(max_length=3)
    decision: Literal["impose", "refuse"]
    born: PastDate | None = None
    count: int = 0


def errors(**data) -> list[dict]:
    with pytest.raises(ValidationError) as e:
        Form(**data)
    return e.value.errors()


def test_each_invalid_field_is_named_with_a_dutch_reason():
    found = invalid_params(errors(reason="lang", decision="maybe", born=date(2999, 1, 1)))
    assert [(e["location"], e["detail"]) for e in found] == [
        ({"pointer": "/reason"}, "te lang: hoogstens 3 tekens"),
        ({"pointer": "/decision"}, "kies uit: 'impose' of 'refuse'"),
        ({"pointer": "/born"}, "moet in het verleden liggen"),
    ]
    assert {e["in"] for e in found} == {"body"}


def test_a_query_parameter_is_named_by_its_name():
    [e] = invalid_params([{"type": "int_parsing", "loc": ("query", "limit"), "msg": "x"}])
    assert e == {
        "in": "query",
        "location": {"name": "limit"},
        "code": "int_parsing",
        "detail": "verwacht een geheel getal",
    }


def test_a_validators_own_message_is_kept_and_an_unknown_kind_is_still_dutch():
    own = {
        "type": "value_error",
        "loc": ("x",),
        "ctx": {"error": ValueError("ligt in de toekomst")},
    }
    assert dutch_message(own) == "ligt in de toekomst"
    assert (
        dutch_message({"type": "brand_new_kind", "loc": ()}) == "ongeldige waarde (brand_new_kind)"
    )


def test_no_message_is_left_in_english():
    english = ("should", "must", "field", "valid ", "input", "required")
    assert not [m for m in MESSAGES.values() if any(w in m.lower() for w in english)]


def test_a_form_says_what_the_api_says():
    with pytest.raises(ValidationError) as e:
        Form(reason="lang", decision="impose")
    assert form_refusal(e.value) == ("Niet gelukt: reason: te lang: hoogstens 3 tekens", 422)
    assert form_refusal(Refused(409, "de casus is gesloten")) == (
        "Niet gelukt: de casus is gesloten",
        409,
    )


def test_a_field_left_empty_is_missing_whatever_its_type():
    with pytest.raises(ValidationError) as e:
        Form(reason=None, decision="impose", count=None)
    assert {m["detail"] for m in invalid_params(e.value.errors())} == {"dit veld is verplicht"}


def test_a_broken_rule_is_said_as_the_rule_says_it():
    assert form_refusal(RuleViolation("een kind van 16 jaar of ouder")) == (
        "Niet gelukt: een kind van 16 jaar of ouder",
        422,
    )


def test_a_refused_forms_fields_each_have_their_dutch_message():
    import pytest
    from pydantic import ValidationError

    from api.problems import form_fields
    from domain.huisverbod import Decider, DecisionIn

    with pytest.raises(ValidationError) as e:
        DecisionIn(
            decision="refuse", reason="x" * 2001, decided_by=Decider(name="A", capacity="mayor")
        )
    assert form_fields(e.value) == {"reason": "te lang: hoogstens 2000 tekens"}
    assert form_fields(ValueError("no")) == {}
