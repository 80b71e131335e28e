"""Who records which legal act of a huisverbod, through the API: a route per act, a role per
principal, the status each gets from a table written out here (not read from the production
table: a test that copies it could not fail). Issue 36, F1."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from api.auth import SESSION_COOKIE
from tests.integration.browsing import page_session
from tests.integration.flows import (
    HULPOFFICIER,
    MAYOR,
    impose,
    open_case,
    request_huisverbod,
)

ROLES = {
    "vt_worker": ("vt-haaglanden", "worker"),
    "vt_coordinator": ("vt-haaglanden", "coordinator"),
    "privacy_officer": ("vt-haaglanden", "privacy_officer"),
    "police_officer": ("politie-den-haag", "officer"),
    "hulpofficier": ("politie-den-haag", "hulpofficier"),
    "mayor_staff": ("burgemeester-gm0518", "staff"),
    "jurist": ("burgemeester-gm0518", "jurist"),
}
POLICE_ROLES = {"police_officer", "hulpofficier"}
# act -> the roles that record it (2xx); every other role gets 403. By the law: the mayor (or
# a hulpofficier under mandate) decides (Wth art. 2, 3), the mayor alone extends (art. 9) and
# withdraws; the court's acts on an appeal (art. 6) by the mayor's office's jurist, who
# receives them; the police record a violation (art. 11); the contact address (art. 2 lid 6)
# and the handing over of the order by the police or the mayor's office; the help by Veilig
# Thuis.
ALLOWED = {
    "decision": {"hulpofficier", "mayor_staff"},
    "extension": {"mayor_staff"},
    "appeal": {"jurist"},
    "hearing": {"jurist"},
    "ruling": {"jurist"},
    "withdrawal": {"mayor_staff"},
    "violations": POLICE_ROLES,
    "contact_address_given": POLICE_ROLES | {"mayor_staff"},
    "help_started": {"vt_worker", "vt_coordinator"},
    "written_order_issued": POLICE_ROLES | {"mayor_staff"},
}
MILESTONES = ("contact_address_given", "help_started", "written_order_issued")
# the state an act needs: requested, imposed, or appealed (an appeal with interim relief)
NEEDS = {"decision": "requested", "hearing": "appealed", "ruling": "appealed"}


def act(name: str, role: str, ban: dict) -> tuple[str, dict]:
    """The route and body of act `name` as `role` would send it."""
    if name in MILESTONES:
        return "milestones", {"milestone": name}
    decider = HULPOFFICIER if role in POLICE_ROLES else MAYOR
    bodies = {
        "decision": {
            "decision": "impose",
            "reason": "RiHG wijst op ernstig gevaar",
            "decided_by": decider,
            "veilig_thuis_consulted": True,
        },
        "extension": {"until": halfway(ban), "reason": "dreiging duurt voort", "decided_by": MAYOR},
        "appeal": {},
        "hearing": {},
        "ruling": {"outcome": "lifted"},
        "withdrawal": {"reason": "het gevaar is geweken", "decided_by": MAYOR},
        "violations": {},
    }
    return name, bodies[name]


def halfway(ban: dict) -> str | None:
    """Two weeks into the four: past the ban's ten days, within the cap (Wth art. 9)."""
    if not ban.get("imposed_at"):
        return None
    imposed, cap = datetime.fromisoformat(ban["imposed_at"]), datetime.fromisoformat(ban["max_end"])
    return (imposed + (cap - imposed) / 2).isoformat()


async def ban_in(api, police, jurist, state: str) -> dict:
    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id)
    if state == "requested":
        return (await api.get(f"/v1/huisverboden/{hv}")).json()
    ban = await impose(police, hv)
    if state == "appealed":
        r = await jurist.post(f"/v1/huisverboden/{hv}/appeal", json={})
        assert r.status_code == 200, r.text
        ban = r.json()
    return ban


@pytest.mark.parametrize("role", sorted(ROLES))
@pytest.mark.parametrize("name", sorted(ALLOWED))
async def test_each_legal_act_only_by_the_role_the_law_gives_it(
    api, police, jurist, as_, name, role
):
    ban = await ban_in(api, police, jurist, NEEDS.get(name, "imposed"))
    route, body = act(name, role, ban)
    hv = ban["huisverbod_id"]
    r = await as_(*ROLES[role]).post(f"/v1/huisverboden/{hv}/{route}", json=body)
    if role in ALLOWED[name]:
        assert r.status_code == 200, r.text
        return
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert " mag " in r.json()["detail"]  # a reason in Dutch: "een ... van ... mag geen ..."
    assert (await api.get(f"/v1/huisverboden/{hv}")).json()["status"] == ban["status"]


async def test_veilig_thuis_cannot_have_a_running_ban_lifted(api, police, as_, jurist):
    """F1 as it was found: a Veilig Thuis worker lodged an appeal, then a ruling "lifted",
    and the ban ended. Both are refused now; the ban runs; the jurist still can."""
    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id)
    await impose(police, hv)
    for vt in (as_("vt-haaglanden", "worker"), api):
        appeal = await vt.post(f"/v1/huisverboden/{hv}/appeal", json={})
        assert appeal.status_code == 403
        assert "mag geen beroep tegen een huisverbod vastleggen" in appeal.json()["detail"]
        lifted = await vt.post(f"/v1/huisverboden/{hv}/ruling", json={"outcome": "lifted"})
        assert lifted.status_code == 403
        assert "mag geen uitspraak van de rechter" in lifted.json()["detail"]
    running = (await api.get(f"/v1/huisverboden/{hv}")).json()
    assert (
        running["status"] == "imposed" and running["appeals"] == [] and running["ended_at"] is None
    )
    assert (await jurist.post(f"/v1/huisverboden/{hv}/appeal", json={})).status_code == 200
    lifted = await jurist.post(f"/v1/huisverboden/{hv}/ruling", json={"outcome": "lifted"})
    assert lifted.status_code == 200 and lifted.json()["status"] == "lifted"


async def page(site, settings, org: str, role: str, path: str) -> str:
    token = page_session(settings, org, role)
    async with httpx.AsyncClient(base_url=site, cookies={SESSION_COOKIE: token}) as client:
        r = await client.get(path)
    assert r.status_code == 200, r.text
    return r.text


async def test_pages_offer_only_the_forms_their_reader_may_use(api, police, site, settings):
    """The jurist's inbox shows the requests and running bans without the decision and
    extension forms; on the police's case page Veilig Thuis gets no violation form and only
    the milestone it records, the police only theirs."""
    case_id = await open_case(api)
    requested = await request_huisverbod(police, case_id)
    other = await open_case(api)
    running = (await impose(police, await request_huisverbod(police, other)))["huisverbod_id"]
    decide, extend = f"/inbox/{requested}/besluit", f"/inbox/{running}/verlenging"
    staff = await page(site, settings, "burgemeester-gm0518", "staff", "/inbox")
    assert decide in staff and extend in staff
    jurist = await page(site, settings, "burgemeester-gm0518", "jurist", "/inbox")
    assert f"verbod-{running}" in jurist and decide not in jurist and extend not in jurist

    violation = f"/huisverbod/{running}/overtreding"
    vt = await page(site, settings, "vt-haaglanden", "worker", f"/politie/casus/{other}")
    assert violation not in vt
    assert 'value="help_started"' in vt and 'value="contact_address_given"' not in vt
    officer = await page(site, settings, "politie-den-haag", "officer", f"/politie/casus/{other}")
    assert violation in officer
    assert 'value="contact_address_given"' in officer and 'value="help_started"' not in officer
