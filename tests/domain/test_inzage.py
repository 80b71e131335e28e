"""The inzage export (AVG art. 15): the person's own data whole, the others masked (lid 4),
the timeline entries that concern them; a correction (art. 16) says what changed."""

import io
import re
from datetime import UTC, date, datetime

import pikepdf
import pytest
from pydantic import ValidationError
from pypdf import PdfReader

from domain.case import number_pattern
from domain.inzage import (
    MASKED,
    CorrectionIn,
    InzageExport,
    PersonKey,
    action_name,
    concerns,
    corrected,
    file_export,
    one_person,
    recipients,
    review,
    subject_of,
)
from domain.inzage_pdf import render

AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ANNA = {
    "ref": "p1",
    "role": "victim",
    "name": "Anna de Vries",
    "birth_date": "1990-04-01",
    "address": "Laan 1, Den Haag",
}
JAN = {"ref": "p2", "role": "pleger", "name": "Jan de Vries", "address": "Dorpsstraat 9, Delft"}
KIM = {"ref": "k1", "role": "child", "name": "Kim Bakker", "birth_date": "2018-09-01"}


def export_of_anna(**extra):
    file = {
        "number": "VT-HGL-2026-000002",
        "opened_at": AT,
        "status": "triage",
        "persons": [ANNA, JAN, KIM],
        "reporter": {"kind": "police"},
        "timeline": [
            {"at": AT, "kind": "melding_received", "detail": "melding ontvangen"},
            {"at": AT, "kind": "placement_ended", "detail": "p2: plaatsing beëindigd"},
            {"at": AT, "kind": "placement_ended", "detail": "p1: plaatsing beëindigd"},
        ],
    }
    return file_export(
        PersonKey(kind="case", file_id="abc", ref="p1"),
        file,
        texts=["Jan sloeg Anna; Kim Bakker zag het. Jan woont op Dorpsstraat 9, Delft."],
        notices=extra.get("notices", []),
        access=[],
        corrections=[],
    )


def test_the_person_sees_their_own_data_whole_and_the_others_by_role_only():
    f = export_of_anna()
    assert (f.person.name, f.person.birth_date, f.person.address) == (
        "Anna de Vries",
        date(1990, 4, 1),
        "Laan 1, Den Haag",
    )
    assert [(o.role, o.name, o.address) for o in f.others] == [
        ("pleger", MASKED, MASKED),
        ("kind", MASKED, None),
    ]
    dumped = f.model_dump_json()
    for hidden in ("Jan", "Dorpsstraat", "Kim", "Bakker", "2018"):
        assert hidden not in dumped


def test_names_and_addresses_of_others_are_masked_in_texts_and_listed_without_their_value():
    f = export_of_anna()
    assert f.content == [f"{MASKED} sloeg Anna; {MASKED} zag het. {MASKED} woont op {MASKED}."]
    assert [(m.field, m.kind_name, m.count) for m in f.masks] == [
        ("content[0]", "naam van een ander", 3),
        ("content[0]", "adres", 1),
    ]
    assert "Jan" not in f.model_dump_json()
    assert review(f) == [
        {
            "place": "inhoud",
            "text": f.content[0],
            "kinds": ["naam van een ander (3)", "adres (1)"],
        }
    ]


def test_the_timeline_shows_what_concerns_the_person_or_the_whole_file():
    assert [e.text for e in export_of_anna().timeline] == [
        "melding ontvangen",
        "p1: plaatsing beëindigd",
    ]
    assert concerns("k1 geplaatst", "k1", ["p1"]) and not concerns("k1 geplaatst", "p1", ["k1"])


def test_a_notice_names_to_whom_it_went_and_how():
    def name_of(partner_id, audience):
        return {"politie-dh": "Politie Den Haag"}.get(partner_id, f"de {audience}")

    sent = [
        {"audience": "police", "partner_id": "politie-dh", "channel": "webhook", "status": "sent"}
    ]
    assert recipients("police", sent, name_of) == [
        "Politie Den Haag per berichtkoppeling: verzonden"
    ]
    assert recipients("raad", [], name_of) == ["de raad: geen ontvanger bekend, niet verzonden"]
    notice = {
        "created_at": AT,
        "kind": "event",
        "subject": "police_callout",
        "detail": "over Jan",
        "recipients": ["x"],
    }
    told = export_of_anna(notices=[notice]).notices[0]
    assert told.detail == f"over {MASKED}" and told.subject == "De politie is bij een gezin ingezet"


def test_an_access_reads_as_dutch_words():
    assert action_name("case.read") == "casus lezen"
    assert action_name("access_log.read") == "het toegangslog lezen"
    assert action_name("person.export") == "inzage-export maken"


def test_the_pdf_holds_the_person_and_never_the_other_party():
    pdf = render_text(export_of_anna())
    assert "Anna de Vries" in pdf and "01-04-1990" in pdf and "Jan" not in pdf
    assert "Over wie dit overzicht gaat" in pdf.split("Casus VT-HGL-2026-000002")[0]
    assert "naam van een ander (3x), adres (1x)" in pdf


def test_files_join_into_one_export_only_for_the_same_name_and_birth_date():
    anna = {**ANNA, "name": "Anna  de VRIES"}
    decomposed = {**ANNA, "name": "Anna de Vrie\u0301s"}
    assert one_person([ANNA]) is None and one_person([ANNA, anna, decomposed]) is None
    assert "niet dezelfde naam" in one_person([ANNA, {**JAN, "birth_date": "1990-04-01"}])
    assert "niet dezelfde geboortedatum" in one_person([ANNA, {**ANNA, "birth_date": "1990-04-02"}])
    assert "geboortedatum in elk ervan bekend" in one_person([ANNA, {**ANNA, "birth_date": None}])


def test_the_export_says_whose_it_is_and_how_they_were_found():
    who = subject_of([export_of_anna(), export_of_anna()])
    assert (who.name, who.birth_date) == ("Anna de Vries", date(1990, 4, 1))
    assert who.files == ["casus VT-HGL-2026-000002"] * 2
    assert "naam en geboortedatum in 2 dossier(s)" in who.identified_by


def render_text(f) -> str:
    data = render(
        InzageExport(region="haaglanden", generated_at=AT, subject=subject_of([f]), files=[f])
    )
    assert data.startswith(b"%PDF")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_correction_keeps_what_changed_and_nothing_else():
    c = CorrectionIn(name="Anna de Vries-Smit", address="Laan 1, Den Haag", reason="huwelijk")
    new, changes = corrected(ANNA, c)
    assert changes == [("name", "Anna de Vries", "Anna de Vries-Smit")]
    assert new["name"] == "Anna de Vries-Smit" and ANNA["name"] == "Anna de Vries"
    _, changes = corrected(ANNA, CorrectionIn(birth_date=date(1990, 4, 2), reason="akte"))
    assert changes == [("birth_date", "1990-04-01", "1990-04-02")]
    with pytest.raises(ValidationError, match="geef de juiste naam"):
        CorrectionIn(reason="niets")


def test_a_person_key_reads_back_and_refuses_what_is_not_one():
    key = PersonKey(kind="advice", file_id="0af3", ref="p-1")
    assert PersonKey.parse(str(key)) == key
    for bad in ("case.abc", "zaak.abc.p1", "case.ABC!.p1", "case.abc.p 1"):
        assert PersonKey.parse(bad) is None


@pytest.mark.parametrize(
    "query, number, found",
    [
        ("000002", "VT-HGL-2026-000002", True),
        ("2", "VT-HGL-2026-000002", True),
        ("vt-hgl-2026-2", "VT-HGL-2026-000002", True),
        ("hgl-2026-000002", "VT-HGL-2026-000002", True),
        ("vt-hgl-2026-2", "VT-HGL-2026-000020", False),
        ("000002", "VT-HGL-2026-000012", False),
        ("vt-ams-2026-2", "VT-HGL-2026-000002", False),
    ],
)
def test_a_partial_case_number_finds_the_number_people_say(query, number, found):
    assert (re.search(number_pattern(query), number, re.IGNORECASE) is not None) is found


def test_a_query_that_is_no_number_gives_no_pattern():
    assert number_pattern("vt hgl") is None and number_pattern("a%") is None


# Words of the code that a person must never read in their export: event and deadline
# keys, statuses, roles and kinds as the code names them, and a sign-in id's shape.
CODE_WORDS = re.compile(
    r"\b[a-z]+_[a-z_]+\b"  # snake_case: police_callout, huisverbod_imposed, safe_place
    r"|\b(?:dev|user)-[a-z0-9-]+\b"  # a sign-in id (dev-agent-j-de-vries, user-…)
    r"|\b(?:victim|pleger_ref|child|case|advice|investigation|closed|event|reminder|escalation|"
    r"email|webhook|sent|pending|failed|worker|officer|staff|privacy|mayor|police)\b"
)
# JSON values that are identifiers, not words for the person: ids, refs, the codes whose
# Dutch name stands beside them (kind -> kind_name), a mask's place in the file
IDENTIFIERS = {"kind", "file_id", "person_id", "ref", "region"}


def words_for_the_person(value, key=None):
    """Every string of an export's JSON a person reads (not its identifiers)."""
    if key == "masks":
        yield from (m["kind_name"] for m in value)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k not in IDENTIFIERS or isinstance(v, dict | list):
                yield from words_for_the_person(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from words_for_the_person(v, key)
    elif isinstance(value, str):
        yield value


def export_at_the_house():
    """Anna has no address of her own in the file; the police's request for a ban against
    Jan covers the house they share, and its grounds describe her injuries."""
    anna = {k: v for k, v in ANNA.items() if k != "address"}
    file = {
        "number": "VT-HGL-2026-000003",
        "opened_at": AT,
        "status": "investigation",
        "persons": [anna, {**JAN, "address": "Voorbeeldstraat 1, Den Haag"}, KIM],
        "reporter": {"kind": "police"},
        "timeline": [{"at": AT, "kind": "police_callout", "detail": ""}],
    }
    bans = [
        {
            "requested_at": AT,
            "pleger_ref": "p2",
            "address": "Voorbeeldstraat 1, Den Haag",
            "grounds": "Anna de Vries had letsel aan haar arm; Jan de Vries dreigde.",
            "children_at_address": False,
            "reason": "Ernstig gevaar.",
        }
    ]
    notice = {
        "created_at": AT,
        "kind": "reminder",
        "subject": "safe_place",
        "detail": "",
        "recipients": ["Politie eenheid Den Haag per berichtkoppeling: verzonden"],
    }
    access = {
        "at": AT,
        "who": "medewerker, Veilig Thuis Haaglanden",
        "organisation": "Veilig Thuis Haaglanden",
        "role": "medewerker",
        "action": "casus lezen",
        "outcome": 200,
    }
    correction = {
        "at": AT,
        "field": "name",
        "old_value": "Ana de Vries",
        "new_value": "Anna de Vries",
        "reason": "verzoek van betrokkene",
        "by": "functionaris gegevensbescherming, Veilig Thuis Haaglanden",
    }

    def of(ref):
        return file_export(
            PersonKey(kind="case", file_id="abc", ref=ref),
            file,
            texts=["Politie ingezet."],
            notices=[notice],
            access=[access],
            corrections=[correction],
            bans=bans,
        )

    return of


def test_the_victim_at_the_house_keeps_its_address_and_reads_the_grounds_about_her():
    of = export_at_the_house()
    anna = of("p1")
    assert anna.person.address == "Voorbeeldstraat 1, Den Haag"  # not masked as Jan's
    grounds = next(t for t in anna.content if "letsel" in t)
    assert "Anna de Vries had letsel aan haar arm" in grounds and "Jan" not in grounds
    assert f"{MASKED} dreigde" in grounds
    kim = of("k1")  # not at the house by the request: neither its address nor its grounds
    assert kim.person.address is None and not any("letsel" in t for t in kim.content)


def test_the_export_reads_in_dutch_without_code_names_or_sign_in_ids():
    export = export_at_the_house()("p1")
    whole = InzageExport(
        region="haaglanden", generated_at=AT, subject=subject_of([export]), files=[export]
    )
    read = list(words_for_the_person(whole.model_dump(mode="json")))
    assert "De politie is bij een gezin ingezet" in read  # the timeline's police_callout
    assert any("iedereen veilig" in w for w in read)  # the safe_place deadline, in words
    assert "onderzoek" in read and "naam" in read  # the status and the corrected field
    assert [w for w in read if CODE_WORDS.search(w)] == []
    pdf = render_text(export)
    assert CODE_WORDS.findall(pdf) == []
    tagged = pikepdf.open(io.BytesIO(render(whole)))
    assert "/StructTreeRoot" in tagged.Root and tagged.Root.MarkInfo.Marked is True
    assert str(tagged.Root.Lang) == "nl-NL" and tagged.Root.ViewerPreferences.DisplayDocTitle
    assert str(tagged.docinfo.Title) == "Inzage in uw gegevens bij Veilig Thuis"
    assert "Voorbeeldstraat 1, Den Haag" in pdf and "letsel aan haar arm" in pdf
