"""The inzage export (AVG art. 15): the person's own data whole, the others masked (lid 4),
the timeline entries that concern them; a correction (art. 16) says what changed."""

import io
import re
from datetime import UTC, date, datetime

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
    notice = {"created_at": AT, "subject": "Melding", "detail": "over Jan", "recipients": ["x"]}
    assert export_of_anna(notices=[notice]).notices[0].detail == f"over {MASKED}"


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
