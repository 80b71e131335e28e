"""Regional figures: a quarter's counts in Rotterdam-Rijnmond match what the test counts
itself, as JSON and CSV; small counts are suppressed; another region's coordinator and the
national organisation see what they may."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, datetime

import pytest_asyncio

from domain.figures import quarter_name
from domain.workdays import AMSTERDAM
from tests.integration.conftest import eventually
from tests.integration.flows import MAYOR, huisverbod_request, melding

REGION = "rotterdam-rijnmond"
REPORTERS = ["police"] * 6 + ["professional"] * 5 + ["citizen"] * 2  # citizen: suppressed
LATE = 5  # of the 13 safety assessments, these are recorded after their deadline passed
HANDOVERS = 2  # suppressed; the rest are closed with advice
ASKERS = ["professional"] * 5 + ["anonymous"]  # advice questions; anonymous: suppressed


def body(i: int, reporter: str) -> dict:
    persons = [
        {
            "ref": "p1",
            "role": "victim",
            "name": f"Cijfer Slachtoffer {i}",
            "birth_date": "1990-01-01",
        },
        {"ref": "p2", "role": "pleger", "name": f"Cijfer Pleger {i}", "birth_date": "1980-01-01"},
    ]
    return melding(
        region=REGION,
        municipality="GM0599",
        reporter={"kind": reporter, "organisation": "Melder"},
        persons=persons,
        unsafety={"acute": False, "structural": True},
    )


async def post(client, url: str, json: dict) -> dict:
    r = await client.post(url, json=json)
    assert r.status_code in (200, 201), r.text
    return r.json()


@pytest_asyncio.fixture(scope="module")
async def seeded(as_):
    """Thirteen meldingen in Rotterdam-Rijnmond, each assessed (five late), decided on and
    closed; one huisverbod requested and refused. Returns the case ids."""
    rr = as_("vt-rotterdam-rijnmond", "coordinator")
    mayor = as_("burgemeester-gm0599", "staff")
    ids = [
        (await post(rr, "/v1/meldingen", body(i, kind)))["case_id"]
        for i, kind in enumerate(REPORTERS)
    ]
    on_time, late = ids[:-LATE], ids[-LATE:]
    assess = {"acute": False, "structural": True}
    for case_id in on_time:
        await post(rr, f"/v1/cases/{case_id}/safety-assessment", assess)

    async def overdue():
        cases = [(await rr.get(f"/v1/cases/{c}")).json() for c in late]
        return all(
            d["status"] == "overdue"
            for c in cases
            for d in c["deadlines"]
            if d["key"] == "safety_assessment"
        )

    await eventually(overdue)
    for case_id in late:
        await post(rr, f"/v1/cases/{case_id}/safety-assessment", assess)
    hv = await post(rr, f"/v1/cases/{ids[0]}/huisverbod-requests", huisverbod_request())
    await post(
        mayor,
        f"/v1/huisverboden/{hv['huisverbod_id']}/decision",
        {"decision": "refuse", "reason": "Geen ernstig gevaar", "decided_by": MAYOR},
    )
    for i, case_id in enumerate(ids):
        decision = "handover" if i < HANDOVERS else "close_with_advice"
        chosen = {"decision": decision}
        if decision == "handover":
            chosen["partner"] = "wijkteam-rotterdam-centrum"
        await post(rr, f"/v1/cases/{case_id}/follow-up", chosen)
        if decision == "handover":
            await post(rr, f"/v1/cases/{case_id}/close", {"reason": "handed_over_and_safe"})
    for kind in ASKERS:
        asker = {"kind": kind}
        if kind == "professional":
            asker["organisation"] = "Huisartsenpraktijk"
        question = {"region": REGION, "asker": asker, "question": "Wat kan ik doen?"}
        await post(rr, "/v1/adviesvragen", question)
    return ids


def expected(cases: list[dict], quarter: str) -> dict:
    """The figures counted from the cases as the API shows them, before suppression."""
    missed = Counter()
    assessments = Counter()
    decisions = Counter()
    for c in cases:
        for d in c["deadlines"]:
            due = datetime.fromisoformat(d["due_at"])
            met = d["met_at"] and datetime.fromisoformat(d["met_at"])
            if quarter_name(due.astimezone(AMSTERDAM).date()) != quarter:
                continue
            if d["status"] in ("overdue", "missed") or (met and met > due):
                missed[d["key"]] += 1
            if d["key"] == "safety_assessment":
                assessments["on_time" if met and met <= due else "late"] += 1
        for e in c["timeline"]:
            if e["kind"].startswith("follow_up_") and e["source"] == "case":
                decisions[e["kind"].removeprefix("follow_up_")] += 1
    refused = sum(
        1
        for c in cases
        for h in c["huisverboden"]
        if (h["decision"] or {}).get("decision") == "refuse"
    )
    imposed = sum(1 for c in cases for h in c["huisverboden"] if h["imposed_at"])
    return {
        "advice_questions": Counter(ASKERS),
        "meldingen": Counter(c["reporter"]["kind"] for c in cases),
        "safety_assessments": assessments,
        "follow_up": decisions,
        "huisverboden": Counter({"imposed": imposed, "refused": refused}),
        "missed_deadlines": missed,
    }


def shown(n: int) -> int | None:
    return None if 0 < n < 5 else n


async def test_a_quarter_matches_the_counts_of_the_test(as_, seeded):
    rr = as_("vt-rotterdam-rijnmond", "coordinator")
    quarter = quarter_name(datetime.now(UTC).astimezone(AMSTERDAM).date())
    cases = [(await rr.get(f"/v1/cases/{c}")).json() for c in seeded]
    counted = expected(cases, quarter)
    # the test's own count is what it seeded
    assert counted["meldingen"] == Counter(REPORTERS)
    # (on a loaded machine an assessment meant to be on time may land after its scaled term)
    assert counted["safety_assessments"].total() == len(seeded)
    assert counted["safety_assessments"]["late"] >= LATE
    assert counted["missed_deadlines"]["safety_assessment"] == counted["safety_assessments"]["late"]
    assert counted["follow_up"] == Counter(
        close_with_advice=len(seeded) - HANDOVERS, handover=HANDOVERS
    )

    r = await rr.get(f"/v1/regions/{REGION}/figures")
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["region"] == REGION and found["threshold"] == 5
    [q] = found["quarters"]
    assert q["quarter"] == quarter
    for measure, counts in counted.items():
        for category, n in q["figures"][measure].items():
            assert n == shown(counts.get(category, 0)), (measure, category)
        assert {c for c, n in counts.items() if n} <= set(q["figures"][measure]), measure
    # the suppressed cells: two citizens, two handovers, one refused huisverbod
    assert q["figures"]["meldingen"]["citizen"] is None
    assert q["figures"]["follow_up"]["handover"] is None
    assert q["figures"]["huisverboden"]["refused"] is None
    assert q["figures"]["meldingen"]["anonymous"] == 0  # zero points at nobody: shown
    assert q["figures"]["advice_questions"] == {
        "professional": 5,
        "citizen": 0,
        "anonymous": None,
    }

    r = await rr.get(f"/v1/regions/{REGION}/figures", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {row["regio"] for row in rows} == {REGION}
    as_json = {
        (row["onderdeel"], row["categorie"]): row["aantal"]
        for row in rows
        if row["kwartaal"] == quarter
    }
    assert as_json == {
        (m, c): "<5" if n is None else str(n)
        for m, cells in q["figures"].items()
        for c, n in cells.items()
    }
    assert as_json[("meldingen", "police")] == "6"

    page = await rr.get(f"/regio/{REGION}/cijfers")
    assert page.status_code == 200
    assert (
        "<svg" in page.text and "&lt;5" in page.text and "Meldingen per soort melder" in page.text
    )


async def test_another_region_and_roles_without_the_right_see_nothing(as_, seeded):
    haaglanden = as_("vt-haaglanden", "coordinator")
    assert (await haaglanden.get(f"/v1/regions/{REGION}/figures")).status_code == 404
    assert (await haaglanden.get("/v1/figures")).status_code == 403
    worker = as_("vt-rotterdam-rijnmond", "worker")
    assert (await worker.get(f"/v1/regions/{REGION}/figures")).status_code == 403
    police = as_("politie-rotterdam", "hulpofficier")
    assert (await police.get(f"/v1/regions/{REGION}/figures")).status_code == 403
    national = as_("landelijk-netwerk-veilig-thuis", "analist")
    assert (await national.get(f"/v1/regions/{REGION}/figures")).status_code == 404
    assert (await national.get(f"/v1/cases/{seeded[0]}")).status_code == 403
    assert (await national.get("/v1/cases")).status_code == 403


async def test_the_national_organisation_sees_the_sum_over_all_regions(as_, seeded):
    national = as_("landelijk-netwerk-veilig-thuis", "analist")
    r = await national.get("/v1/figures")
    assert r.status_code == 200, r.text
    total = r.json()
    assert total["region"] == "landelijk"
    per_region = {}
    for region, org in [
        ("haaglanden", "vt-haaglanden"),
        ("amsterdam-amstelland", "vt-amsterdam-amstelland"),
        (REGION, "vt-rotterdam-rijnmond"),
    ]:
        found = (await as_(org, "coordinator").get(f"/v1/regions/{region}/figures")).json()
        per_region[region] = found["quarters"][0]["figures"]["meldingen"]
    national_meldingen = total["quarters"][0]["figures"]["meldingen"]
    for kind, n in national_meldingen.items():
        regional = [cells[kind] for cells in per_region.values()]
        if None not in regional and n is not None:
            assert n == sum(regional), kind
    # the Rotterdam police meldingen alone reach the threshold, so the sum is shown
    assert national_meldingen["police"] >= 6
    # the national figures have no cases or regions in them: counts only
    assert set(total) == {"region", "from", "to", "threshold", "quarters", "deadline_labels"}
    page = await national.get("/cijfers")
    assert page.status_code == 200 and "landelijk" in page.text


async def test_period_rules(as_):
    rr = as_("vt-rotterdam-rijnmond", "coordinator")
    back = await rr.get(
        f"/v1/regions/{REGION}/figures", params={"from": "2026-07-01", "to": "2026-01-01"}
    )
    assert back.status_code == 422
    long = await rr.get(
        f"/v1/regions/{REGION}/figures", params={"from": "2000-01-01", "to": "2026-01-01"}
    )
    assert long.status_code == 422
    two = await rr.get(
        f"/v1/regions/{REGION}/figures", params={"from": "2025-02-03", "to": "2025-04-01"}
    )
    assert [q["quarter"] for q in two.json()["quarters"]] == ["2025-K1", "2025-K2"]
