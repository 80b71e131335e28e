"""Who may do what: deny by default, need-to-know per organisation, region and municipality.

A principal is a person acting for an organisation of the chain (its id and kind come from
the chain configuration) in a role. `PERMISSIONS` is the one table of what each
(organisation kind, role) may do; `Scope` says which cases and huisverboden it may see.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Action = Literal[
    "case.create",
    "case.list",
    "case.read",
    "case.step",
    "case.destroy",
    "case.assign",
    "huisverbod.request",
    "huisverbod.list",
    "huisverbod.read",
    "huisverbod.decide",
    "huisverbod.extend",
    "huisverbod.appeal",
    "huisverbod.hearing",
    "huisverbod.ruling",
    "huisverbod.withdraw",
    "huisverbod.violation",
    "huisverbod.contact_address",
    "huisverbod.help_started",
    "huisverbod.order_issued",
    "huisverbod.order",
    "huisverbod.refile",
    "dashboard.read",
    "access_log.read",
    "codec.encode",
    "codec.decode",
    "placement.location.read",
    "case.earlier_contacts",
    "figures.read",
    "advice.create",
    "advice.read",
    "advice.step",
    "person.search",
    "person.export",
    "person.correct",
]

_VT_WORKER: set[Action] = {
    "case.create",
    "case.list",
    "case.read",
    "case.step",
    "huisverbod.request",
    "huisverbod.list",
    "huisverbod.read",
    "huisverbod.order",  # the written order: Veilig Thuis organises the help it starts
    "huisverbod.help_started",  # the help of the ten days (Wmo 2015 art. 4.1.1)
    "placement.location.read",
    "case.earlier_contacts",  # the radar: earlier meldingen about the same people
    # advice questions (adviesvragen): Veilig Thuis of the region only (Wmo 2015 art. 4.1.1)
    "advice.create",
    "advice.read",
    "advice.step",
}
_POLICE: set[Action] = {
    "case.create",
    "case.list",
    "case.read",
    "huisverbod.request",
    "huisverbod.list",
    "huisverbod.read",
    "huisverbod.violation",  # Wth art. 11: the police find and record a violation
    # the police hand the order over and take down where the person put out can be reached
    "huisverbod.contact_address",  # Wth art. 2 lid 6
    "huisverbod.order_issued",
    # the order they hand over: it shows them the decision and its terms about facts they
    # wrote down themselves in the request (Wth art. 2 lid 4), of their own region's cases
    "huisverbod.order",
}
# The court's acts on an appeal against the mayor's decision (Wth art. 6): the person put out
# (or the one threatened) lodges it with the administrative court; the mayor, whose decision
# is appealed, is the party that receives the court's notices, hearing and ruling. So they
# are recorded by the mayor's office's jurist who conducts the case; nobody else. Neither
# Veilig Thuis nor the police are a party, and the staff who decide do not record what the
# court made of their decision.
_COURT_ACTS: set[Action] = {"huisverbod.appeal", "huisverbod.hearing", "huisverbod.ruling"}
PERMISSIONS: dict[tuple[str, str], frozenset[Action]] = {
    ("veilig_thuis", "worker"): frozenset(_VT_WORKER),
    ("veilig_thuis", "coordinator"): frozenset(
        _VT_WORKER
        | {
            "case.destroy",
            "case.assign",
            "dashboard.read",
            "access_log.read",
            "codec.encode",
            "codec.decode",
            "figures.read",
        }
    ),
    # the functionaris gegevensbescherming answers a person's request to see (AVG art. 15) or
    # correct (art. 16) what is held about them: finds them in the region's files, nothing else
    ("veilig_thuis", "privacy_officer"): frozenset(
        {"person.search", "person.export", "person.correct"}
    ),
    ("police", "officer"): frozenset(_POLICE),
    # a hulpofficier van justitie may impose under the mayor's mandate (Wth art. 3)
    ("police", "hulpofficier"): frozenset(_POLICE | {"huisverbod.decide"}),
    ("mayor_office", "staff"): frozenset(
        {
            "huisverbod.list",
            "huisverbod.read",
            "huisverbod.decide",
            "huisverbod.extend",
            "huisverbod.withdraw",  # the mayor only: not under mandate (Wth art. 3 lid 1)
            "huisverbod.order",
            "huisverbod.contact_address",  # given to the mayor (Wth art. 2 lid 6)
            "huisverbod.order_issued",
            "huisverbod.refile",  # once the zaaksysteem's configuration is fixed
        }
    ),
    ("mayor_office", "jurist"): frozenset(
        _COURT_ACTS
        | {"huisverbod.list", "huisverbod.read", "huisverbod.order", "huisverbod.refile"}
    ),
    ("sociaal_wijkteam", "worker"): frozenset({"case.list", "case.read"}),
    ("huisarts", "doctor"): frozenset({"case.list", "case.read"}),
    ("raad", "worker"): frozenset({"case.list", "case.read"}),
    ("jeugdbescherming", "worker"): frozenset({"case.list", "case.read"}),
    # a shelter and the crisisdienst see where the people they took in are, nothing else
    ("opvang", "staff"): frozenset({"placement.location.read"}),
    ("crisisdienst_jeugd", "staff"): frozenset({"placement.location.read"}),
    # school and kinderopvang see only the notices addressed to them (no case routes)
    ("school", "staff"): frozenset(),
    ("kinderopvang", "staff"): frozenset(),
    # the national monitor: figures summed over all regions, never a case
    ("landelijk", "analist"): frozenset({"figures.read"}),
}

# The capacity in which an organisation kind decides on a huisverbod.
DECIDING_CAPACITY = {"mayor_office": "mayor", "police": "hulpofficier"}

# Dutch names, for every text a person reads. Organisation kinds (and the other teams a
# deadline or notice names), with their article.
ORG_KIND_NAMES = {
    "veilig_thuis": "Veilig Thuis",
    "landelijk": "het landelijk netwerk Veilig Thuis",
    "police": "de politie",
    "mayor_office": "het bureau van de burgemeester",
    "sociaal_wijkteam": "het sociaal wijkteam",
    "huisarts": "de huisartsenpraktijk",
    "raad": "de Raad voor de Kinderbescherming",
    "jeugdbescherming": "de jeugdbescherming",
    "opvang": "de opvang",
    "crisisdienst_jeugd": "de crisisdienst jeugd",
    "school": "de school",
    "kinderopvang": "de kinderopvang",
    "zorg_en_veiligheidshuis": "het Zorg- en Veiligheidshuis",
    "openbaar_ministerie": "het openbaar ministerie",
    "college": "het college van burgemeester en wethouders",
    "court": "de rechter",
    "regional_coordinator": "de coördinator van Veilig Thuis",
    "handle_with_care": "de school of kinderopvang (Handle with Care)",
    "zaaksysteem": "het zaaksysteem van de gemeente",
}
ROLE_NAMES = {
    "worker": "medewerker",
    "coordinator": "coördinator",
    "officer": "agent",
    "hulpofficier": "hulpofficier van justitie",
    "staff": "medewerker",
    "doctor": "huisarts",
    "analist": "analist",
    "privacy_officer": "functionaris gegevensbescherming",
    "jurist": "jurist",
}
CAPACITY_NAMES = {"mayor": "de burgemeester", "hulpofficier": "de hulpofficier van justitie"}
# what a principal without the permission may not do: "... mag <this>"
ACTION_DENIED: dict[str, str] = {
    "case.create": "geen casus openen",
    "case.list": "geen casussen opvragen",
    "case.read": "geen casus lezen",
    "case.step": "geen stap in een casus vastleggen",
    "case.destroy": "geen casus vernietigen",
    "case.assign": "geen casus toewijzen",
    "advice.create": "geen adviesvraag registreren",
    "advice.read": "geen adviesvraag lezen",
    "advice.step": "geen stap in een adviesvraag vastleggen",
    "case.earlier_contacts": "geen eerdere contacten van een casus zien",
    "figures.read": "de cijfers niet zien",
    "huisverbod.order": "geen beschikking van een huisverbod downloaden",
    "huisverbod.request": "geen tijdelijk huisverbod aanvragen",
    "huisverbod.list": "geen huisverboden opvragen",
    "huisverbod.read": "geen huisverbod lezen",
    "huisverbod.decide": "niet beslissen over een huisverbod",
    "huisverbod.extend": "geen huisverbod verlengen",
    "huisverbod.appeal": "geen beroep tegen een huisverbod vastleggen",
    "huisverbod.hearing": "geen behandeling door de rechter van een huisverbod vastleggen",
    "huisverbod.ruling": "geen uitspraak van de rechter over een huisverbod vastleggen",
    "huisverbod.contact_address": "niet vastleggen dat de uithuisgeplaatste een adres opgaf",
    "huisverbod.help_started": "niet vastleggen dat de hulp voor het gezin is gestart",
    "huisverbod.order_issued": "niet vastleggen dat de beschikking is uitgereikt",
    "huisverbod.withdraw": "geen huisverbod intrekken",
    "huisverbod.refile": "een huisverbod niet opnieuw in het zaaksysteem vastleggen",
    "huisverbod.violation": "geen overtreding van een huisverbod vastleggen",
    "dashboard.read": "het overzicht van de regio niet zien",
    "access_log.read": "het toegangslog niet lezen",
    "codec.encode": "geen gegevens versleutelen",
    "codec.decode": "geen gegevens ontsleutelen",
    "placement.location.read": "niet zien waar iemand is geplaatst",
    "person.search": "geen personen zoeken voor een inzageverzoek",
    "person.export": "geen inzage-export maken",
    "person.correct": "geen persoonsgegevens corrigeren",
}


def org_name(kind: str) -> str:
    """The Dutch name of an organisation kind, or of the one partner a `partner:` id names."""
    return ORG_KIND_NAMES.get(kind) or (
        f"partner {kind.removeprefix('partner:')}" if kind.startswith("partner:") else kind
    )


def denial(org_kind: str, role: str, action: str) -> str:
    """Why a principal may not do `action`, e.g. "een medewerker van het bureau van de
    burgemeester mag geen casus lezen"."""
    return f"een {ROLE_NAMES.get(role, role)} van {org_name(org_kind)} mag {ACTION_DENIED[action]}"


class Principal(BaseModel):
    subject: str  # the user's id at the identity provider; never a name
    name: str = ""  # the name the person is known by (OIDC `name`): what a decision is signed with
    org: str
    org_kind: str
    role: str
    region: str | None = None
    municipality: str | None = None

    @property
    def display_name(self) -> str:
        return self.name or self.subject

    def may(self, action: Action) -> bool:
        return action in PERMISSIONS.get((self.org_kind, self.role), frozenset())

    def actor(self) -> Actor:
        return Actor(org=self.org, org_kind=self.org_kind, role=self.role)


class Actor(BaseModel):
    """Who gives a command, as it travels to the workflow: the organisation and the role the
    signed-in principal acts in (never a name). The service layer sets it from the principal,
    never from a request's body; the workflow's validator checks it again (`check_actor`), so a
    command that bypasses the API's routes is held to the same table."""

    org: str
    org_kind: str
    role: str


class NotPermitted(Exception):
    """An act by an actor the table does not allow it to (403), with the reason in Dutch."""


def check_actor(actor: Actor | None, action: Action) -> None:
    """Refuse `action` unless `actor` holds it in `PERMISSIONS`; a command that names no actor
    is refused (histories from before commands carried one are replayed, not validated)."""
    if actor is None:
        raise NotPermitted(
            "de opdracht noemt niet wie haar geeft (organisatie en rol) en wordt geweigerd"
        )
    if action not in PERMISSIONS.get((actor.org_kind, actor.role), frozenset()):
        raise NotPermitted(denial(actor.org_kind, actor.role, action))


class Scope(BaseModel):
    """Which rows a principal may see; translated to SQL conditions by the store."""

    region: str | None = None  # cases and huisverboden in this region
    municipality: str | None = None  # huisverboden in this municipality
    police_involved: bool = False  # only cases the police are involved in
    partner: str | None = None  # only cases handed over or referred to this organisation


def scope_of(p: Principal) -> Scope:
    """Need-to-know: the rows this principal may see, or a scope that matches nothing."""
    if p.org_kind == "veilig_thuis":
        return Scope(region=p.region)
    if p.org_kind == "police":
        return Scope(region=p.region, police_involved=True)
    if p.org_kind == "mayor_office":
        return Scope(municipality=p.municipality)
    return Scope(partner=p.org)


def roles_for(org_kind: str) -> list[str]:
    return sorted(role for kind, role in PERMISSIONS if kind == org_kind)


def may_read_huisverbod_file(p: Principal) -> bool:
    """The request's file (the person to leave, the address, the officer, the grounds): for
    whoever decides on it (the mayor's office, a hulpofficier under mandate: Wth art. 3), for
    the mayor's office's jurist who defends that decision in court (Wth art. 6) and for Veilig
    Thuis, which organises the help; within the scope that shows the huisverbod."""
    return p.may("huisverbod.decide") or p.org_kind in ("mayor_office", "veilig_thuis")


def may_see_involved(p: Principal) -> bool:
    """The victim and the children of a request's case (names, birth dates): for whoever
    decides on it, who weighs the danger to those who stay and consults Veilig Thuis when
    children are involved (Wth art. 2 lid 3); each such read is in the access log."""
    return p.may("huisverbod.decide")


def may_see_location(p: Principal, provider: str, case_region: str) -> bool:
    """Where a placed person is safe: Veilig Thuis of the case's region and the provider
    that took the person in; nobody else, whatever else they may see of the case."""
    if not p.may("placement.location.read"):
        return False
    if p.org_kind == "veilig_thuis":
        return p.region == case_region
    return p.org == provider


def may_read_figures(p: Principal, region: str | None) -> bool:
    """A region's figures for its own Veilig Thuis; the sum over all regions (`region` None)
    for a national organisation only."""
    if not p.may("figures.read"):
        return False
    if region is None:
        return p.org_kind == "landelijk"
    return p.org_kind == "veilig_thuis" and p.region == region
