"""The authorisation table as a matrix: deny by default, need-to-know."""

import pytest

from domain.access import (
    PERMISSIONS,
    Actor,
    NotPermitted,
    Principal,
    check_actor,
    may_read_figures,
    may_read_huisverbod_file,
    may_see_location,
    scope_of,
)

ALL = sorted({a for actions in PERMISSIONS.values() for a in actions})

VT_WORKER = {
    "case.create",
    "case.list",
    "case.read",
    "case.step",
    "huisverbod.request",
    "huisverbod.list",
    "huisverbod.read",
    "huisverbod.order",
    "huisverbod.help_started",  # Veilig Thuis starts the help; no court act, ever
    "placement.location.read",
    "case.earlier_contacts",
    "advice.create",  # advice questions: Veilig Thuis of the region only
    "advice.read",
    "advice.step",
}
# (org kind, role) -> what it may do; everything else it may not
EXPECTED = {
    ("veilig_thuis", "worker"): VT_WORKER,
    ("veilig_thuis", "coordinator"): VT_WORKER
    | {
        "case.destroy",
        "case.assign",
        "dashboard.read",
        "access_log.read",
        "codec.encode",
        "codec.decode",
        "figures.read",
    },
    # the functionaris gegevensbescherming: finds, exports and corrects a person, no case
    ("veilig_thuis", "privacy_officer"): {"person.search", "person.export", "person.correct"},
    ("police", "officer"): {
        "case.create",
        "case.list",
        "case.read",
        "huisverbod.request",
        "huisverbod.list",
        "huisverbod.read",
        "huisverbod.violation",
        "huisverbod.contact_address",
        "huisverbod.order_issued",
        "huisverbod.order",  # the order they hand over
    },
    ("police", "hulpofficier"): {
        "case.create",
        "case.list",
        "case.read",
        "huisverbod.request",
        "huisverbod.list",
        "huisverbod.read",
        "huisverbod.violation",
        "huisverbod.contact_address",
        "huisverbod.order_issued",
        "huisverbod.order",
        "huisverbod.decide",
    },
    ("mayor_office", "staff"): {
        "huisverbod.list",
        "huisverbod.read",
        "huisverbod.decide",
        "huisverbod.extend",
        "huisverbod.withdraw",
        "huisverbod.order",
        "huisverbod.contact_address",
        "huisverbod.order_issued",
        "huisverbod.refile",
    },
    # the court's acts (Wth art. 6) by the jurist of the mayor's office, who receives them
    ("mayor_office", "jurist"): {
        "huisverbod.list",
        "huisverbod.read",
        "huisverbod.order",
        "huisverbod.appeal",
        "huisverbod.hearing",
        "huisverbod.ruling",
        "huisverbod.refile",
    },
    ("sociaal_wijkteam", "worker"): {"case.list", "case.read"},
    ("huisarts", "doctor"): {"case.list", "case.read"},
    ("raad", "worker"): {"case.list", "case.read"},
    ("jeugdbescherming", "worker"): {"case.list", "case.read"},
    ("school", "staff"): set(),
    ("kinderopvang", "staff"): set(),
    ("opvang", "staff"): {"placement.location.read"},
    ("crisisdienst_jeugd", "staff"): {"placement.location.read"},
    ("landelijk", "analist"): {"figures.read"},
}


def principal(kind: str, role: str) -> Principal:
    return Principal(
        subject="u1",
        org=f"{kind}-x",
        org_kind=kind,
        role=role,
        region="haaglanden",
        municipality="GM0518",
    )


@pytest.mark.parametrize("kind, role", sorted(EXPECTED))
@pytest.mark.parametrize("action", ALL)
def test_matrix(kind, role, action):
    assert principal(kind, role).may(action) is (action in EXPECTED[(kind, role)])


def test_the_table_holds_no_role_the_matrix_does_not_pin():
    assert set(PERMISSIONS) == set(EXPECTED)


@pytest.mark.parametrize(
    "kind, role", [("veilig_thuis", "intern"), ("zorg_en_veiligheidshuis", "staff"), ("police", "")]
)
def test_unknown_roles_may_do_nothing(kind, role):
    assert not any(principal(kind, role).may(a) for a in ALL)


def test_scopes_need_to_know():
    assert scope_of(principal("veilig_thuis", "worker")).region == "haaglanden"
    assert scope_of(principal("veilig_thuis", "privacy_officer")).region == "haaglanden"
    police = scope_of(principal("police", "officer"))
    assert police.region == "haaglanden" and police.police_involved
    mayor = scope_of(principal("mayor_office", "staff"))
    assert mayor.municipality == "GM0518" and mayor.region is None
    assert scope_of(principal("huisarts", "doctor")).partner == "huisarts-x"


@pytest.mark.parametrize(
    "kind, role, org, region, sees",
    [
        ("veilig_thuis", "worker", "vt", "haaglanden", True),
        ("veilig_thuis", "coordinator", "vt", "haaglanden", True),
        ("veilig_thuis", "worker", "vt-elders", "rotterdam", False),  # another region
        ("opvang", "staff", "opvang-haaglanden", None, True),  # the shelter itself
        ("opvang", "staff", "opvang-elders", None, False),  # another shelter
        ("crisisdienst_jeugd", "staff", "crisisdienst", None, False),  # not this provider
        ("police", "hulpofficier", "politie", "haaglanden", False),
        ("mayor_office", "staff", "burgemeester", None, False),
        ("sociaal_wijkteam", "worker", "wijkteam", None, False),
        ("huisarts", "doctor", "huisarts", None, False),
        ("raad", "worker", "raad", None, False),
        ("jeugdbescherming", "worker", "jb", None, False),
        ("school", "staff", "school", None, False),
    ],
)
def test_the_shelter_location_is_for_veilig_thuis_and_the_shelter_only(
    kind, role, org, region, sees
):
    p = Principal(subject="u", org=org, org_kind=kind, role=role, region=region)
    assert may_see_location(p, provider="opvang-haaglanden", case_region="haaglanden") is sees


def test_the_request_file_is_for_who_decides_and_for_veilig_thuis():
    assert may_read_huisverbod_file(principal("mayor_office", "staff"))
    assert may_read_huisverbod_file(principal("mayor_office", "jurist"))  # defends it in court
    assert may_read_huisverbod_file(principal("police", "hulpofficier"))  # under mandate
    assert may_read_huisverbod_file(principal("veilig_thuis", "worker"))
    assert not may_read_huisverbod_file(principal("police", "officer"))
    assert not may_read_huisverbod_file(principal("huisarts", "doctor"))


def test_figures_for_the_own_region_or_nationally_for_a_national_organisation():
    coordinator = principal("veilig_thuis", "coordinator")
    national = principal("landelijk", "analist").model_copy(update={"region": None})
    assert may_read_figures(coordinator, "haaglanden")
    assert not may_read_figures(coordinator, "amsterdam-amstelland")
    assert not may_read_figures(coordinator, None)
    assert may_read_figures(national, None)
    assert not may_read_figures(national, "haaglanden")
    assert not may_read_figures(principal("veilig_thuis", "worker"), "haaglanden")


def test_a_command_is_checked_against_its_actor_and_one_without_an_actor_is_refused():
    vt = principal("veilig_thuis", "worker").actor()
    check_actor(principal("mayor_office", "jurist").actor(), "huisverbod.ruling")
    with pytest.raises(NotPermitted, match="een medewerker van Veilig Thuis mag geen uitspraak"):
        check_actor(vt, "huisverbod.ruling")
    with pytest.raises(NotPermitted, match="noemt niet wie haar geeft"):
        check_actor(None, "huisverbod.ruling")
    with pytest.raises(NotPermitted):  # an actor the table does not know may do nothing
        check_actor(Actor(org="x", org_kind="court", role="clerk"), "huisverbod.ruling")
