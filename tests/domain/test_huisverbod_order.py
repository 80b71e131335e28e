"""The written order: its dates come from the policy the workflow uses, each with its article;
its letterhead, rechtbank and copies from the chain configuration; and its PDF is a formal,
tagged (PDF/UA-1) order with the signature on the page where the decision ends."""

import io
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pikepdf
import pytest
import yaml
from pypdf import PdfReader

from domain import documents
from domain.chain import Chain
from domain.huisverbod import (
    Decider,
    DecisionCmd,
    ExtensionCmd,
    HuisverbodSnapshot,
    WithdrawalCmd,
)
from domain.huisverbod_order import NoOrder, moment
from domain.huisverbod_order import written_order as order_of
from domain.huisverbod_policy import HuisverbodPolicy
from domain.order_pdf import render

CHAIN_FILE = Path(__file__).parents[2] / "infra" / "chain.yaml"


def sample_chain() -> dict:
    """The sample chain, Den Haag's letterhead with a (placeholder) logo."""
    raw = yaml.safe_load(CHAIN_FILE.read_text(encoding="utf-8"))
    den_haag = raw["regions"][0]["municipalities"][0]
    assert den_haag["code"] == "GM0518"
    den_haag["logo"] = str(Path(__file__).with_name("voorbeeld-logo.svg"))
    return raw


CHAIN = Chain.model_validate(sample_chain())
KENMERK = "VT-HGL-2026-000123-HV-1a2b3c4d"
MAYOR = Decider(name="J. Burgemeester", capacity="mayor")
IMPOSED = datetime(2026, 10, 20, 18, 0, tzinfo=UTC)  # 20:00 in Amsterdam (summer time)
FILE = {
    "pleger_name": "Şahin Yılmaz",
    "pleger_birth_date": "1985-06-15",
    "address": "Voorbeeldstraat 1",
    "grounds": "Feiten.",
}


def written_order(kind, hv, file, code, policy):
    """The order of a municipality of the chain, by its code, with the kenmerk above."""
    return order_of(kind, hv, file, CHAIN.letterhead(code), policy, KENMERK)


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
    order = written_order("oplegging", snapshot(), FILE, "GM0518", HuisverbodPolicy())
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
        written_order("oplegging", requested, FILE, "GM0503", HuisverbodPolicy())
    with pytest.raises(NoOrder):
        written_order("verlenging", snapshot(), FILE, "GM0503", HuisverbodPolicy())
    withdrawn = snapshot(
        status="withdrawn", withdrawal=WithdrawalCmd(reason="r", decided_by=MAYOR, at=IMPOSED)
    )
    order = written_order("intrekking", withdrawn, {}, "GM0503", HuisverbodPolicy())
    assert "Wth art. 2 lid 9" in order.dictum[0] and order.person == order.address


def test_a_refusal_has_its_own_order_signed_by_who_refused_with_the_objection_term():
    refusal = DecisionCmd(
        decision="refuse", reason="Geen ernstig gevaar.", decided_by=MAYOR, decided_at=IMPOSED
    )
    refused = snapshot(status="refused", decision=refusal, imposed_at=None)
    file = FILE | {"requested_by": {"organisation": "Politie Den Haag", "officer": "Agent Drie"}}
    order = written_order("afwijzing", refused, file, "GM0518", HuisverbodPolicy())
    assert "wijst het verzoek van Politie Den Haag" in order.dictum[0]
    assert order.reason == "Geen ernstig gevaar."
    assert (order.signature.authority, order.signature.name) == (
        "De burgemeester van 's-Gravenhage,",
        "J. Burgemeester",
    )
    assert [(d.label, moment(d.at)) for d in order.dates] == [
        ("Bezwaar uiterlijk", "1 december 2026 om 24:00")
    ]
    assert "bezwaar" in order.remedy and "Wth art. 11" not in order.remedy
    assert "rechtbank Den Haag" in order.remedy
    with pytest.raises(NoOrder):
        written_order("afwijzing", snapshot(), FILE, "GM0503", HuisverbodPolicy())


HULPOFFICIER = Decider(name="H. de Wacht", capacity="hulpofficier")
LONG = " ".join(["De politie trof betrokkene aan in de woning na een melding van geweld."] * 40)


def orders() -> dict[str, tuple]:
    """Each kind of order, of a ban imposed by a hulpofficier under mandate (the refusal by
    the mayor's office), with grounds long enough to push the decision onto page 2."""
    file = FILE | {"grounds": LONG}
    refusal = DecisionCmd(
        decision="refuse", reason="Geen gevaar.", decided_by=MAYOR, decided_at=IMPOSED
    )
    imposed = DecisionCmd(
        decision="impose", reason="Ernstig gevaar.", decided_by=HULPOFFICIER, decided_at=IMPOSED
    )
    ban = partial(snapshot, decision=imposed)
    ext = ExtensionCmd(
        until=datetime(2026, 11, 10, 19, tzinfo=UTC),
        reason="R.",
        decided_by=MAYOR,
        decided_at=datetime(2026, 10, 29, 9, tzinfo=UTC),
    )
    withdrawal = WithdrawalCmd(reason="R.", decided_by=MAYOR, at=datetime(2026, 10, 25, tzinfo=UTC))
    return {
        "oplegging": (ban(), "H. de Wacht"),
        "verlenging": (ban(status="extended", extensions=[ext]), "J. Burgemeester"),
        "intrekking": (ban(status="withdrawn", withdrawal=withdrawal), "J. Burgemeester"),
        "afwijzing": (
            snapshot(status="refused", decision=refusal, imposed_at=None),
            "J. Burgemeester",
        ),
    } | {"_file": file}


def structure_types(node, found=None) -> set[str]:
    found = set() if found is None else found
    if isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            found.add(str(node.S))
        if node.get("/K") is not None:
            structure_types(node.K, found)
    elif isinstance(node, pikepdf.Array):
        for kid in node:
            structure_types(kid, found)
    return found


@pytest.mark.parametrize("kind", ["oplegging", "verlenging", "intrekking", "afwijzing"])
def test_each_order_is_a_formal_tagged_pdf_signed_where_the_decision_ends(kind):
    cases = orders()
    hv, signer = cases[kind]
    order = written_order(kind, hv, cases["_file"], "GM0518", HuisverbodPolicy())
    pdf = render(order)
    documents._laid_out.cache_clear()  # laid out anew, in another process say
    assert render(order) == pdf  # the bytes filed are the bytes downloaded

    doc = pikepdf.open(io.BytesIO(pdf))
    root = doc.Root
    assert "/StructTreeRoot" in root and root.MarkInfo.Marked is True
    assert str(root.Lang) == "nl-NL"
    assert str(doc.docinfo.Title) == f"{order.title} ({KENMERK})"
    assert root.ViewerPreferences.DisplayDocTitle is True
    tags = structure_types(root.StructTreeRoot)
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/L", "/LI", "/P", "/Figure"} <= tags
    for page in doc.pages:  # every font embedded: the names print as written anywhere
        for font in page.Resources.Font.values():
            assert "/FontFile2" in font.DescendantFonts[0].FontDescriptor

    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    first = pages[0]
    for shown in (
        "Gemeente 's-Gravenhage",  # letterhead, from the chain
        "Spui 70",
        f"Kenmerk {KENMERK}",
        "Aan Şahin Yılmaz",
        "Geboortedatum 15-06-1985",
        "Voorbeeldstraat 1",
        "Den Haag, 20 oktober 2026" if kind in ("oplegging", "afwijzing") else "Den Haag, ",
    ):
        assert shown in first, shown
    assert len(pages) >= 2
    ends = next(i for i, p in enumerate(pages) if "Aldus besloten te Den Haag" in p)
    assert signer in pages[ends] and "De burgemeester van 's-Gravenhage," in pages[ends]
    last = order.dictum[-1].split()[:6]
    assert " ".join(last) in " ".join(pages[ends].split())  # the decision's end, signed below
    if signer == "H. de Wacht":
        assert "namens deze, in mandaat (Wth art. 3 lid 1)" in pages[ends]
        assert "hulpofficier van justitie" in pages[ends]
    text = " ".join(" ".join(pages).split())
    assert "rechtbank Den Haag" in text
    sent = text.split("Verzonden aan")[1]
    assert "Şahin Yılmaz (betrokkene)" in sent
    assert "Veilig Thuis Haaglanden" in sent and "Politie eenheid Den Haag" in sent


def test_the_chain_names_each_municipalitys_rechtbank_and_refuses_an_unknown_one(tmp_path):
    assert CHAIN.letterhead("GM0363").rechtbank == "rechtbank Amsterdam"
    assert CHAIN.letterhead("GM1621").rechtbank == "rechtbank Rotterdam"
    raw = sample_chain()
    path = tmp_path / "chain.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert Chain.load(path).letterhead("GM0518").logo.name == "voorbeeld-logo.svg"
    municipalities = raw["regions"][0]["municipalities"]
    for wrong in ({"arrondissement": "Delft"}, {"arrondissement": None}, {"logo": "nergens.svg"}):
        changed = [{**municipalities[0], **wrong}, *municipalities[1:]]
        raw["regions"][0]["municipalities"] = [
            {k: v for k, v in m.items() if v is not None} for m in changed
        ]
        path.write_text(yaml.safe_dump(raw), encoding="utf-8")
        with pytest.raises(ValueError, match="arrondissement|logo"):
            Chain.load(path)
