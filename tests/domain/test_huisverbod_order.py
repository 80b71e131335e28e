"""The written order: its dates come from the policy the workflow uses, each with its article."""

from datetime import UTC, datetime

import pytest

from domain.huisverbod import Decider, DecisionCmd, HuisverbodSnapshot, WithdrawalCmd
from domain.huisverbod_order import NoOrder, moment, written_order
from domain.policy import HuisverbodPolicy

MAYOR = Decider(name="J. Burgemeester", capacity="mayor")
IMPOSED = datetime(2026, 10, 20, 18, 0, tzinfo=UTC)  # 20:00 in Amsterdam (summer time)
FILE = {"pleger_name": "Şahin Yılmaz", "address": "Voorbeeldstraat 1", "grounds": "Feiten."}


def snapshot(**changes) -> HuisverbodSnapshot:
    decision = DecisionCmd(decision="impose", reason="r", decided_by=MAYOR, decided_at=IMPOSED)
    fields = {
        "huisverbod_id": "h",
        "case_id": "c",
        "municipality": "GM0518",
        "pleger_ref": "p2",
        "status": "imposed",
        "requested_at": IMPOSED,
        "decision": decision,
        "imposed_at": IMPOSED,
        "version": 1,
        "timeline": [],
        "deadlines": [],
    }
    return HuisverbodSnapshot(**(fields | changes))


def test_the_imposition_gives_the_end_the_cap_and_the_appeal_term_with_their_articles():
    order = written_order("oplegging", snapshot(), FILE, "'s-Gravenhage", HuisverbodPolicy())
    dates = {d.label: (moment(d.at), d.article) for d in order.dates}
    assert dates["Einde (tien dagen)"] == (
        "30 oktober 2026 om 20:00",
        "Wth art. 2 lid 1 (tien dagen)",
    )
    assert dates["Uiterste einde bij verlenging"][0] == "17 november 2026 om 20:00"
    assert "Wth art. 9 lid 1" in dates["Uiterste einde bij verlenging"][1]
    assert dates["Beroep uiterlijk"][0] == "1 december 2026 om 24:00"  # Awb 6:7, 6:8
    assert "Awb art. 6:7" in dates["Beroep uiterlijk"][1]
    assert "Şahin Yılmaz" in order.dictum[0] and order.grounds == "Feiten."


def test_no_order_for_what_was_not_decided():
    requested = snapshot(status="requested", decision=None, imposed_at=None)
    with pytest.raises(NoOrder):
        written_order("oplegging", requested, FILE, "Delft", HuisverbodPolicy())
    with pytest.raises(NoOrder):
        written_order("verlenging", snapshot(), FILE, "Delft", HuisverbodPolicy())
    withdrawn = snapshot(
        status="withdrawn", withdrawal=WithdrawalCmd(reason="r", decided_by=MAYOR, at=IMPOSED)
    )
    order = written_order("intrekking", withdrawn, {}, "Delft", HuisverbodPolicy())
    assert "Wth art. 2 lid 9" in order.dictum[0] and order.person == order.address


def test_a_refusal_has_its_own_order_signed_by_who_refused_with_the_objection_term():
    refusal = DecisionCmd(
        decision="refuse", reason="Geen ernstig gevaar.", decided_by=MAYOR, decided_at=IMPOSED
    )
    refused = snapshot(status="refused", decision=refusal, imposed_at=None)
    file = FILE | {"requested_by": {"organisation": "Politie Den Haag", "officer": "Agent Drie"}}
    order = written_order("afwijzing", refused, file, "'s-Gravenhage", HuisverbodPolicy())
    assert "wijst het verzoek van Politie Den Haag" in order.dictum[0]
    assert order.reason == "Geen ernstig gevaar."
    assert order.signed_by == "J. Burgemeester, namens de burgemeester van 's-Gravenhage"
    assert [(d.label, moment(d.at)) for d in order.dates] == [
        ("Bezwaar uiterlijk", "1 december 2026 om 24:00")
    ]
    assert "bezwaar" in order.remedy and "Wth art. 11" not in order.remedy
    with pytest.raises(NoOrder):
        written_order("afwijzing", snapshot(), FILE, "Delft", HuisverbodPolicy())
