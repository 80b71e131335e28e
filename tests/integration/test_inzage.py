"""The inzageverzoek and correction (AVG art. 15, 16) through the real API: the region's
privacy officer finds a person in two cases and an advice question, exports what is held
about them as JSON and PDF with the other party masked, and corrects their name; another
region's officer finds nothing; every search and export is in the access log. And a case
found by a partial number or by a person's name."""

from __future__ import annotations

import io
import json
import re
import uuid

import httpx
import pikepdf
from pypdf import PdfReader

from api.auth import SESSION_COOKIE
from tests.domain.test_inzage import CODE_WORDS, words_for_the_person
from tests.integration.browsing import csrf_header, shot, signed_in, wcag_violations
from tests.integration.conftest import eventually
from tests.integration.flows import impose, open_case, request_huisverbod

MASKED = "[afgeschermd]"


def family(tag: str) -> tuple[dict, dict]:
    victim = {
        "ref": "p1",
        "role": "victim",
        "name": f"Anna Inzage{tag}",
        "birth_date": "1990-04-01",
        "address": "Laan 1, Den Haag",
    }
    pleger = {
        "ref": "p2",
        "role": "pleger",
        "name": f"Jan Pleger{tag}",
        "birth_date": "1985-06-15",
        "address": f"Dorpsstraat {tag}, Delft",
    }
    return victim, pleger


async def advice_about(api, persons: list[dict], question: str) -> str:
    body = {
        "region": "haaglanden",
        "municipality": "GM0518",
        "asker": {"kind": "citizen"},
        "question": question,
        "persons": persons,
    }
    r = await api.post("/v1/adviesvragen", json=body)
    assert r.status_code == 201, r.text
    return r.json()["advice_id"]


async def test_a_privacy_officer_exports_what_is_held_about_a_person_with_the_other_masked(
    api, as_
):
    tag = uuid.uuid4().hex[:8]
    anna, jan = family(tag)
    first = await open_case(
        api, persons=[anna, jan], summary=f"{jan['name']} sloeg {anna['name']}."
    )
    again = {**anna, "ref": "v1"}
    second = await open_case(api, persons=[again], summary="Tweede melding.")
    advice = await advice_about(api, [anna, jan], f"Wat te doen? {jan['name']} dreigt.")
    worker = as_("vt-haaglanden", "worker")
    assert (await worker.get(f"/v1/cases/{first}")).status_code == 200
    assert (await worker.get(f"/v1/adviesvragen/{advice}")).status_code == 200
    assert (await worker.post("/v1/persons/search", json={"name": tag})).status_code == 403

    officer = as_("vt-haaglanden", "privacy_officer")
    r = await officer.post(
        "/v1/persons/search", json={"name": f"inzage{tag}", "birth_date": "1990-04-01"}
    )
    assert r.status_code == 200, r.text
    found = r.json()["items"]
    assert {(f["kind"], f["file_id"]) for f in found} == {
        ("case", first),
        ("case", second),
        ("advice", advice),
    }
    assert {f["name"] for f in found} == {anna["name"]} and jan["name"] not in r.text
    ids = [f["person_id"] for f in found]
    # the officer reads no case itself: its role has nothing but the inzage
    assert (await officer.get(f"/v1/cases/{first}")).status_code == 403

    async def exported_with_notices():
        e = await officer.get("/v1/inzage", params={"personId": ids})
        assert e.status_code == 200, e.text
        files = {f["file_id"]: f for f in e.json()["files"]}
        police = [
            n
            for n in files[first]["notices"]
            if any("Politie eenheid Den Haag" in line for line in n["recipients"])
        ]
        return police and files[first]["timeline"] and (e, files)

    r, files = await eventually(exported_with_notices)
    assert jan["name"] not in r.text and "Dorpsstraat" not in r.text and "Jan" not in r.text
    case = files[first]
    assert case["person"]["name"] == anna["name"] and case["person"]["address"] == anna["address"]
    assert case["others"] == [{"role": "pleger", "name": MASKED, "address": MASKED}]
    assert case["content"] == [f"{MASKED} sloeg {anna['name']}."]
    assert case["number"].startswith("VT-HGL-")
    # the acute melding alerted the police (what was sent, and to whom): waited for above
    read = [(a["organisation"], a["action"]) for a in case["access"]]
    assert ("Veilig Thuis Haaglanden", "casus lezen") in read
    assert ("Veilig Thuis Haaglanden", "personen zoeken voor een inzageverzoek") in read
    assert files[advice]["content"] == [f"Wat te doen? {MASKED} dreigt."]
    assert ("Veilig Thuis Haaglanden", "adviesvraag lezen") in [
        (a["organisation"], a["action"]) for a in files[advice]["access"]
    ]
    assert files[second]["others"] == []

    pdf = await officer.get("/v1/inzage/export.pdf", params={"personId": ids})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert anna["name"] in text and "01-04-1990" in text
    assert jan["name"] not in text and "Dorpsstraat" not in text

    # every search and export is in the access log, with the files and persons it touched
    log = (await api.get("/v1/access-log", params={"caseId": first})).json()
    mine = [e for e in log if e["role"] == "privacy_officer" and e["outcome"] == 200]
    assert {e["action"] for e in mine} == {"person.search", "person.export"}
    assert all("p1" in e["person_refs"] for e in mine)
    refused = [e["action"] for e in log if e["role"] == "privacy_officer" and e["outcome"] == 403]
    assert refused == ["case.read"]
    assert not any(tag in e["detail"] for e in log)  # the name searched for is never logged
    assert {e["detail"] for e in mine if e["action"] == "person.export"} == {
        "inzageverzoek: export (json), 3 dossier(s)",
        "inzageverzoek: export (pdf), 3 dossier(s)",
    }
    later = (await officer.get("/v1/inzage", params={"personId": ids})).json()
    seen = [a["action"] for f in later["files"] if f["file_id"] == advice for a in f["access"]]
    assert "inzage-export maken" in seen

    # nothing leaves the region
    elsewhere = as_("vt-amsterdam-amstelland", "privacy_officer")
    r = await elsewhere.post("/v1/persons/search", json={"name": f"inzage{tag}"})
    assert r.status_code == 200 and r.json()["items"] == []
    assert (await elsewhere.get("/v1/inzage", params={"personId": ids})).status_code == 404
    assert (
        await elsewhere.get("/v1/inzage/export.pdf", params={"personId": ids})
    ).status_code == 404


async def test_a_correction_keeps_the_old_value_with_who_when_and_why(api, as_):
    tag = uuid.uuid4().hex[:8]
    anna, jan = family(tag)
    case_id = await open_case(api, persons=[anna, jan])
    officer = as_("vt-haaglanden", "privacy_officer")
    person = f"case.{case_id}.p1"
    new_name = f"Anna Gecorrigeerd{tag}"
    body = {"name": new_name, "address": anna["address"], "reason": "naam gewijzigd na huwelijk"}
    r = await officer.post(f"/v1/persons/{person}/corrections", json=body)
    assert r.status_code == 201, r.text
    [c] = r.json()["items"]
    assert (c["field"], c["old_value"], c["new_value"]) == ("name", anna["name"], new_name)
    assert c["reason"] == "naam gewijzigd na huwelijk" and c["by"].startswith("user-")

    persons = (await api.get(f"/v1/cases/{case_id}")).json()["persons"]
    assert [p["name"] for p in persons] == [new_name, jan["name"]]
    r = await officer.post("/v1/persons/search", json={"name": f"gecorrigeerd{tag}"})
    assert [f["person_id"] for f in r.json()["items"]] == [person]
    export = (await officer.get("/v1/inzage", params={"personId": [person]})).json()
    told = export["files"][0]["corrections"][0]
    assert (told["field"], told["old_value"]) == ("naam", anna["name"])
    assert told["by"] == "functionaris gegevensbescherming, Veilig Thuis Haaglanden"

    again = await officer.post(f"/v1/persons/{person}/corrections", json=body)
    assert again.status_code == 422 and "niets gecorrigeerd" in again.json()["detail"]
    elsewhere = as_("vt-amsterdam-amstelland", "privacy_officer")
    assert (await elsewhere.post(f"/v1/persons/{person}/corrections", json=body)).status_code == 404
    worker = as_("vt-haaglanden", "worker")
    assert (await worker.post(f"/v1/persons/{person}/corrections", json=body)).status_code == 403
    log = (await api.get("/v1/access-log", params={"caseId": case_id})).json()
    assert "correctie (AVG art. 16): naam" in [e["detail"] for e in log]


async def test_a_case_is_found_by_a_partial_number_and_by_a_persons_name(api, as_):
    tag = uuid.uuid4().hex[:8]
    anna, jan = family(tag)
    case_id = await open_case(api, persons=[anna, jan])
    number = (await api.get(f"/v1/cases/{case_id}")).json()["number"]
    prefix, year, sequence = number.rsplit("-", 2)
    for query in (sequence, str(int(sequence)), f"{prefix}-{year}-{int(sequence)}".lower()):
        r = await api.get("/v1/cases", params={"number": query, "limit": 500})
        assert r.status_code == 200, r.text
        assert case_id in [c["case_id"] for c in r.json()["items"]], query

    r = await api.post("/v1/cases/search", json={"name": f"pleger{tag}".upper()})
    assert [c["case_id"] for c in r.json()["items"]] == [case_id]
    r = await api.post("/v1/cases/search", json={"name": f"%pl{tag}"})  # a wildcard is a character
    assert r.json()["items"] == []
    elsewhere = as_("vt-amsterdam-amstelland", "coordinator")
    theirs = await elsewhere.post("/v1/cases/search", json={"name": f"pleger{tag}"})
    assert theirs.json()["items"] == []

    log = (await api.get("/v1/access-log", params={"caseId": case_id})).json()
    searches = [e for e in log if e["action"] == "case.list" and "op naam" in e["detail"]]
    assert searches and not any(tag in e["detail"] for e in log)


async def test_the_privacy_officer_signs_in_and_does_it_on_the_pages(app, api):
    tag = uuid.uuid4().hex[:8]
    anna, jan = family(tag)
    case_id = await open_case(api, persons=[anna, jan], summary=f"{jan['name']} dreigde.")
    person = f"case.{case_id}.p1"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://ketenregie.test"
    ) as browser:
        login = await browser.get("/login")
        assert (
            '<option value="privacy_officer" data-kind="veilig_thuis" >functionaris gegevensbescherming'
            in login.text
        )
        form = {"org": "vt-haaglanden", "role": "privacy_officer", "name": "F. Privacy"}
        signed_in = await browser.post("/login", data=form)
        assert signed_in.status_code == 303
        assert signed_in.headers["location"] == "/regio/haaglanden/inzage"  # its home

        browser.headers.update(csrf_header(app.state.settings, browser.cookies[SESSION_COOKIE]))
        r = await browser.post("/regio/haaglanden/inzage", data={"naam": f"INZAGE{tag}"})
        assert r.status_code == 200
        assert anna["name"] in r.text and person in r.text and jan["name"] not in r.text
        assert "Inzageverzoeken" in r.text and ">Dashboard<" not in r.text  # its own menu

        assert "checked" not in r.text  # nothing is chosen for the officer
        asked = {"persoon": person}
        review = await browser.get("/regio/haaglanden/inzage/controle", params=asked)
        assert review.status_code == 200 and f'<dd id="wie">{anna["name"]}</dd>' in review.text
        assert (
            f"<td>inhoud</td><td>{MASKED} dreigde.</td><td>naam van een ander (1)</td>"
            in review.text
        )
        assert jan["name"] not in review.text and "Export als PDF" in review.text
        pdf = await browser.get("/regio/haaglanden/inzage/export.pdf", params=asked)
        assert pdf.headers["content-type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        assert anna["name"] in text and jan["name"] not in text
        data = (await browser.get("/regio/haaglanden/inzage/export.json", params=asked)).json()
        assert data["files"][0]["content"] == [f"{MASKED} dreigde."]

        where = "/regio/haaglanden/inzage/correctie"
        typed = {
            "naam": "A" * 201,
            "geboortedatum": "",
            "adres": "Nieuwe Laan 2",
            "reden": "verhuisd",
        }
        refused = await browser.post(where, params=asked, data=typed)
        assert refused.status_code == 422
        assert 'id="naam-fout"' in refused.text and "naam:" in refused.text
        assert 'value="Nieuwe Laan 2"' in refused.text and ">verhuisd<" in refused.text
        typed["naam"] = ""
        done = await browser.post(where, params=asked, data=typed)
        assert done.status_code == 200, done.text
        assert "Gecorrigeerd; de oude gegevens zijn bewaard." in done.text
        assert "Laan 1, Den Haag" in done.text and "Nieuwe Laan 2" in done.text  # was, is now

        other = await browser.post("/regio/amsterdam-amstelland/inzage", data={"naam": tag})
        assert other.status_code == 404 and "Niet gevonden" in other.text
    persons = (await api.get(f"/v1/cases/{case_id}")).json()["persons"]
    assert persons[0]["address"] == "Nieuwe Laan 2"


async def test_in_a_browser_the_privacy_officer_exports_with_the_other_party_masked(
    api, browser, site
):
    """The whole job on the pages alone: sign in, find the person, export; the other party
    of the file is masked in what is handed over (AVG art. 15 lid 4)."""
    tag = uuid.uuid4().hex[:8]
    anna, jan = family(tag)
    await open_case(api, persons=[anna, jan], summary=f"{jan['name']} dreigde.")
    officer = await signed_in(browser, site, "vt-haaglanden", "privacy_officer", "F. Privacy")
    await officer.get_by_label("Naam (of een deel ervan)").fill(f"inzage{tag}")
    await officer.get_by_role("button", name="Zoeken").click()
    await officer.wait_for_selector("#aantal")
    assert await officer.locator("#aantal").inner_text() == "1 persoon gevonden"
    assert await wcag_violations(officer) == []
    await shot(officer, "inzage-1-gevonden")
    chosen = await officer.locator("input[name=persoon]").get_attribute("value")
    pdf = await officer.request.get(f"{site}/regio/haaglanden/inzage/export.pdf?persoon={chosen}")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(await pdf.body())).pages)
    assert anna["name"] in text and jan["name"] not in text and MASKED in text


def pdf_text(content: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


async def test_the_plegers_export_keeps_none_of_the_victims_identifiers_from_free_text(api, as_):
    """F2: the melding's free text names the victim in other spellings, with her BSN, birth
    date, phone, e-mail and hiding address; none of it reaches the pleger's export (JSON and
    PDF), the masks are listed without their values, his own data stays."""
    tag = uuid.uuid4().hex[:8]
    zoe = {
        "ref": "p1",
        "role": "victim",
        "name": "Zoë de Vries",
        "birth_date": "1985-06-15",
        "bsn": "123456782",
        "address": "Kerkstraat 12a, 2611 AB Delft",
    }
    jan = {
        "ref": "p2",
        "role": "pleger",
        "name": f"Jan Pleger{tag}",
        "birth_date": "1980-01-02",
        "bsn": "111222333",
        "address": "Dorpsstraat 9, 2612 CD Den Haag",
    }
    summary = (
        "Mevrouw Zoë de Vries (BSN 123456782, geb. 15-06-1985, tel 06-12345678, "
        "zoe@example.nl) is gevlucht naar Schuilweg 7 in Delft. Later belde ZOE DE VRIES "
        "(1234 56 782, 15 juni 1985) vanaf +31 6 1234 5678; Z. de Vries woont op Kerkstraat "
        f"12a, 2611 AB Delft. {jan['name']} (BSN 111222333, geb. 02-01-1980) ontkent."
    )
    case_id = await open_case(api, persons=[zoe, jan], summary=summary)
    officer = as_("vt-haaglanden", "privacy_officer")
    ids = {"personId": f"case.{case_id}.p2"}
    r = await officer.get("/v1/inzage", params=ids)
    assert r.status_code == 200, r.text
    pdf = await officer.get("/v1/inzage/export.pdf", params=ids)
    assert pdf.status_code == 200
    for text in (r.text, pdf_text(pdf.content)):
        for hidden in ("Zoë", "Zoe", "ZOE", "Vries", "123456782", "56 782", "15-06-1985",
                       "juni 1985", "06-12345678", "1234 5678", "zoe@", "Schuilweg",
                       "Kerkstraat", "2611"):  # fmt: skip
            assert hidden not in text, hidden
        assert jan["name"] in text and "111222333" in text and "02-01-1980" in text
    [file] = r.json()["files"]
    assert file["content"][0].startswith("[passage achtergehouden] Later belde [afgeschermd]")
    assert {(m["field"], m["kind"]) for m in file["masks"]} >= {
        ("content[0]", "withheld"),
        ("content[0]", "name"),
        ("content[0]", "bsn"),
        ("content[0]", "birth_date"),
        ("content[0]", "phone"),
        ("content[0]", "address"),
    }
    assert all(set(m) == {"field", "kind", "kind_name", "count"} for m in file["masks"])
    assert r.json()["subject"]["name"] == jan["name"]

    # and the victim's own data stays in hers
    hers = (await officer.get("/v1/inzage", params={"personId": f"case.{case_id}.p1"})).json()
    text = hers["files"][0]["content"][0]
    assert "ZOE DE VRIES (1234 56 782, 15 juni 1985)" in text and "Kerkstraat 12a" in text
    assert jan["name"] not in str(hers) and "111222333" not in str(hers)


async def test_two_different_people_are_never_one_export(app, api, as_):
    """F4: a search for a surname finds the pleger and the child; they cannot be exported
    together (API and pages), nothing is ticked for the officer, and the same person in two
    files, her name typed differently, joins into one export that says whose it is."""
    tag = uuid.uuid4().hex[:8]
    jan = {"ref": "p2", "role": "pleger", "name": f"Jan Berg{tag}", "birth_date": "1985-06-15"}
    kim = {"ref": "k1", "role": "child", "name": f"Kim Berg{tag}", "birth_date": "2018-09-01"}
    first = await open_case(api, persons=[jan, kim], summary="Kind zag geweld.")
    again = {**jan, "ref": "x1", "name": f"JAN  Berg{tag}"}
    second = await open_case(api, persons=[again], summary="Tweede melding.")
    officer = as_("vt-haaglanden", "privacy_officer")
    found = (await officer.post("/v1/persons/search", json={"name": f"berg{tag}"})).json()["items"]
    assert {f["name"] for f in found} == {jan["name"], kim["name"], f"JAN Berg{tag}"}

    two = {"personId": [f"case.{first}.p2", f"case.{first}.k1"]}
    for path in ("/v1/inzage", "/v1/inzage/export.pdf"):
        r = await officer.get(path, params=two)
        assert r.status_code == 422, r.text
        assert "één persoon" in r.json()["detail"] and "niet dezelfde naam" in r.json()["detail"]

    same = {"personId": [f"case.{first}.p2", f"case.{second}.x1"]}
    r = await officer.get("/v1/inzage", params=same)
    assert r.status_code == 200, r.text
    subject = r.json()["subject"]
    assert (subject["name"], subject["birth_date"]) == (jan["name"], "1985-06-15")
    assert "naam en geboortedatum in 2 dossier(s)" in subject["identified_by"]
    assert len(subject["files"]) == 2 and kim["name"] not in r.text
    pdf = pdf_text((await officer.get("/v1/inzage/export.pdf", params=same)).content)
    first_page = pdf.split("Uw gegevens")[0]
    assert "Over wie dit overzicht gaat" in first_page and jan["name"] in first_page
    assert "15-06-1985" in first_page and subject["files"][0] in first_page

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://ketenregie.test"
    ) as browser:
        form = {"org": "vt-haaglanden", "role": "privacy_officer", "name": "F. Privacy"}
        assert (await browser.post("/login", data=form)).status_code == 303
        browser.headers.update(csrf_header(app.state.settings, browser.cookies[SESSION_COOKIE]))
        page = await browser.post("/regio/haaglanden/inzage", data={"naam": f"berg{tag}"})
        assert page.status_code == 200 and "checked" not in page.text
        assert "<td>kind</td>" in page.text and "<td>pleger</td>" in page.text
        assert "<td>&#39;s-Gravenhage</td>" in page.text and "<td>01-09-2018</td>" in page.text
        asked = {"persoon": two["personId"]}
        refused = await browser.get("/regio/haaglanden/inzage/controle", params=asked)
        assert refused.status_code == 422 and "niet dezelfde naam" in refused.text
        assert "Export als PDF" not in refused.text


async def test_a_name_typed_or_stored_in_another_way_finds_the_person(api, as_):
    """F11: a decomposed accent, a zero-width space or fullwidth letters in the search or in
    the melding find the same person; a search of fewer than two letters is refused."""
    tag = uuid.uuid4().hex[:8]
    zoe = {"ref": "p1", "role": "victim", "name": f"Zo\u200be\u0308 Ström{tag}"}
    case_id = await open_case(api, persons=[zoe])
    persons = (await api.get(f"/v1/cases/{case_id}")).json()["persons"]
    assert persons[0]["name"] == f"Zoë Ström{tag}"
    officer = as_("vt-haaglanden", "privacy_officer")
    for typed in (f"Zoë Ström{tag}", f"Zoe\u0308 Stro\u0308m{tag}", f"Zo\u200bë Ström{tag}",
                  f"ＺＯË ström{tag}"):  # fmt: skip
        r = await officer.post("/v1/persons/search", json={"name": typed})
        assert [f["person_id"] for f in r.json()["items"]] == [f"case.{case_id}.p1"], typed
        r = await api.post("/v1/cases/search", json={"name": typed})
        assert [c["case_id"] for c in r.json()["items"]] == [case_id], typed
    for few in ("a ", "  ", "a\u200b"):
        r = await officer.post("/v1/persons/search", json={"name": few})
        assert r.status_code == 400 and "ten minste 2 letters" in r.json()["detail"], few
        r = await api.post("/v1/cases/search", json={"name": few})
        assert r.status_code == 400 and "ten minste 2 letters" in r.json()["detail"], few


async def test_a_name_searched_without_its_accents_finds_the_person(api, as_):
    """ "Zoe" and "ZOE" find "Zoë Ström" (and "Ström" is found as "strom"): the privacy
    officer's person search and the case search compare names folded, in SQL."""
    tag = uuid.uuid4().hex[:8]
    case_id = await open_case(
        api, persons=[{"ref": "p1", "role": "victim", "name": f"Zoë Ström{tag}"}]
    )
    officer = as_("vt-haaglanden", "privacy_officer")
    for typed in (f"Zoe Strom{tag}", f"ZOE STROM{tag}", f"zoe strom{tag}", f"STRÖM{tag}"):
        r = await officer.post("/v1/persons/search", json={"name": typed})
        assert [f["person_id"] for f in r.json()["items"]] == [f"case.{case_id}.p1"], typed
        r = await api.post("/v1/cases/search", json={"name": typed})
        assert [c["case_id"] for c in r.json()["items"]] == [case_id], typed


async def test_the_inzage_is_written_for_the_person_who_asked(api, as_, police):
    """F2 of issue 37: the victim's export, JSON and PDF, reads in Dutch: no code names, no
    snake_case, no sign-in ids; her address is the house's, as the police's request holds
    it (she lives at the pleger's address), and the police's grounds about her are in it,
    the pleger's name masked."""
    tag = uuid.uuid4().hex[:8]
    anna = {"ref": "p1", "role": "victim", "name": f"Anna Woont{tag}", "birth_date": "1990-04-01"}
    jan = {"ref": "p2", "role": "pleger", "name": f"Jan Woont{tag}", "birth_date": "1985-06-15"}
    case = await open_case(api, persons=[anna, jan], summary="Politie ingezet na geweld.")
    grounds = f"{anna['name']} had letsel aan haar arm; {jan['name']} dreigde terug te komen."
    hv = await request_huisverbod(police, case, grounds=grounds)
    await impose(police, hv)
    worker = as_("vt-haaglanden", "worker")
    assert (await worker.get(f"/v1/cases/{case}")).status_code == 200
    officer = as_("vt-haaglanden", "privacy_officer")
    params = {"personId": [f"case.{case}.p1"]}

    async def exported():
        r = await officer.get("/v1/inzage", params=params)
        assert r.status_code == 200, r.text
        f = r.json()["files"][0]
        imposed = any("opgelegd" in e["text"] for e in f["timeline"])
        return imposed and f["notices"] and r.json()

    body = await eventually(exported)
    pdf = await officer.get("/v1/inzage/export.pdf", params=params)
    text = pdf_text(pdf.content)
    read = list(words_for_the_person(body))
    assert [w for w in read if CODE_WORDS.search(w)] == [] and CODE_WORDS.findall(text) == []
    assert not re.search(r"dev-|politie-den-haag|vt-haaglanden", json.dumps(body) + text)
    f = body["files"][0]
    assert f["person"]["address"] == "Voorbeeldstraat 1, Den Haag"
    assert "Voorbeeldstraat 1, Den Haag" in text
    police = next(t for t in f["content"] if "Verzoek van de politie" in t)
    assert f"{anna['name']} had letsel aan haar arm; {MASKED} dreigde" in police
    assert jan["name"] not in json.dumps(body) and jan["name"] not in text
    assert ("medewerker, Veilig Thuis Haaglanden", "casus lezen") in [
        (a["who"], a["action"]) for a in f["access"]
    ]
    tagged = pikepdf.open(io.BytesIO(pdf.content))
    assert "/StructTreeRoot" in tagged.Root and str(tagged.Root.Lang) == "nl-NL"
