"""The chain configuration of a deployment: regions, their municipalities and partners."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, Field, model_validator

from domain.access import org_name, roles_for

ARRONDISSEMENTEN = (
    "Amsterdam",
    "Den Haag",
    "Gelderland",
    "Limburg",
    "Midden-Nederland",
    "Noord-Holland",
    "Noord-Nederland",
    "Oost-Brabant",
    "Overijssel",
    "Rotterdam",
    "Zeeland-West-Brabant",
)  # Wet op de rechterlijke indeling, bijlage: one rechtbank per arrondissement
Arrondissement = Literal[ARRONDISSEMENTEN]  # type: ignore[valid-type]


class Municipality(BaseModel):
    code: str
    name: str
    arrondissement: Arrondissement = Field(
        description="the arrondissement whose rechtbank hears appeals against its decisions "
        "(Wth art. 6; Awb art. 8:7): named in every written order"
    )
    place: str = Field("", description="where its orders are signed (default: its name)")
    address: list[str] = Field(
        [], description="the postal address in the letterhead of its written orders, by line"
    )
    logo: Path | None = Field(
        None, description="the letterhead's logo (PNG, JPEG or SVG), relative to chain.yaml"
    )

    @property
    def rechtbank(self) -> str:
        return f"rechtbank {self.arrondissement}"


class Letterhead(BaseModel):
    """Who sends a municipality's written order and where copies go, from the chain."""

    municipality: str
    place: str
    address: list[str] = []
    logo: Path | None = None
    rechtbank: str
    copies: list[str] = Field([], description="the organisations that receive a copy")


class EmailChannel(BaseModel):
    kind: Literal["email"]
    to: str


class WebhookChannel(BaseModel):
    """A CloudEvent, HTTP POST with a Standard Webhooks signature (`domain.signing`); the
    secret is the partner's, kept in settings."""

    kind: Literal["webhook"]
    url: str


Channel = Annotated[EmailChannel | WebhookChannel, Field(discriminator="kind")]
CHANNEL_NAMES = {"email": "e-mail", "webhook": "koppeling"}  # Dutch, for people

BesluitKind = Literal["oplegging", "afwijzing", "verlenging", "intrekking"]
ZaakStatus = Literal["aangevraagd", "opgelegd", "verlengd", "beeindigd"]
ZaakResultaat = Literal["afgewezen", "afgelopen", "ingetrokken", "opgeheven"]


class Zaaksysteem(BaseModel):
    """The municipality's zaaksysteem, reached through the ZGW APIs of VNG Realisatie (Zaken,
    Besluiten, Documenten; the types are URLs in its Catalogi API). The secret that signs the
    JWT is the partner's, kept in settings (`KETENREGIE_ZGW_SECRETS`)."""

    zaken_api: str = Field(description="base URL of the Zaken API, e.g. https://…/zaken/api/v1")
    besluiten_api: str
    documenten_api: str
    zaaktype: str = Field(description="URL of the zaaktype 'tijdelijk huisverbod' (Catalogi)")
    besluittypen: dict[BesluitKind, str] = Field(
        description="URL of the besluittype per kind of decision"
    )
    informatieobjecttype: str = Field(description="URL of the type of the written order")
    statustypen: dict[ZaakStatus, str] = Field(
        description="URL of the statustype per status of the ban; beeindigd is the last"
    )
    resultaattypen: dict[ZaakResultaat, str] = Field(
        {},
        description="URL of the resultaattype per way the ban ended; where one is given, the "
        "zaak gets its resultaat before its last status",
    )
    rsin: str = Field(pattern=r"^\d{9}$", description="the municipality's RSIN (bronorganisatie)")
    client_id: str = Field(description="the client id the zaaksysteem knows ketenregie by")


CHILD_CARE = ("school", "kinderopvang")  # the recipients of Handle with Care notices


class StaffMember(BaseModel):
    """A person of an organisation, from the deployment's configuration: whom a coordinator
    can assign a case to before that person ever signed in. `subject` is the identity the
    person signs in with (the identity provider's `sub` claim), so the two meet."""

    subject: str
    name: str
    role: str
    email: str | None = Field(None, description="where the person's own reminders go")


class Partner(BaseModel):
    id: str
    kind: str
    name: str
    municipality: str | None = None
    # how the partner is told: "default", and optionally one per role (e.g. "coordinator")
    channels: dict[str, Channel] = {}
    # a mayor's office whose decisions are filed in the municipality's zaaksysteem
    zaaksysteem: Zaaksysteem | None = None
    # the organisation's people (its staff directory); more sign in and are added as they do
    staff: list[StaffMember] = []

    def channel(self, role: str = "default") -> Channel | None:
        return self.channels.get(role) or self.channels.get("default")

    @model_validator(mode="after")
    def _handle_with_care_by_mail(self) -> Partner:
        """A school or kinderopvang hears by e-mail only: its Handle with Care notice names
        the child, and a webhook's CloudEvent carries no personal data."""
        if self.kind in CHILD_CARE and any(c.kind != "email" for c in self.channels.values()):
            raise ValueError(f"{self.id}: a {self.kind} is reached by e-mail only")
        return self

    @model_validator(mode="after")
    def _staff_roles(self) -> Partner:
        """A listed person holds a role of the organisation's kind, and is listed once."""
        for member in self.staff:
            if member.role not in roles_for(self.kind):
                raise ValueError(f"{self.id}: {member.subject} has no role {member.role!r} here")
        if len({m.subject for m in self.staff}) < len(self.staff):
            raise ValueError(f"{self.id}: a person is listed twice in its staff")
        return self


class Region(BaseModel):
    slug: str
    name: str
    code: str = Field("", description="the region's letters in a case number (VT-HGL-2026-000123)")
    municipalities: list[Municipality]
    partners: list[Partner] = []
    contact: str = Field(
        "", description="whom a school or kinderopvang contacts after a Handle with Care notice"
    )
    handle_with_care_kinderopvang: bool = Field(
        False, description="the region has opted in to Handle with Care notices to kinderopvang"
    )

    @property
    def number_prefix(self) -> str:
        return f"VT-{self.code or self.slug[:3].upper()}"

    def partners_of(self, kind: str, municipality: str | None = None) -> list[Partner]:
        """The partners of `kind`; for a municipality, those serving it (or the whole region)."""
        return [
            p
            for p in self.partners
            if p.kind == kind and (municipality is None or p.municipality in (None, municipality))
        ]


class Chain(BaseModel):
    regions: list[Region]
    national: list[Partner] = Field(
        [], description="organisations outside the regions (figures over all regions only)"
    )
    radar_joins: list[list[str]] = Field(
        [],
        description="groups of region slugs whose radar matches each other's contacts; a region "
        "in no group matches only its own",
    )

    @cached_property
    def _by_slug(self) -> dict[str, Region]:
        return {r.slug: r for r in self.regions}

    def region(self, slug: str) -> Region | None:
        return self._by_slug.get(slug)

    def partner(self, org: str) -> tuple[Region, Partner] | None:
        """The organisation `org` and the region it belongs to."""
        for region in self.regions:
            for partner in region.partners:
                if partner.id == org:
                    return region, partner
        return None

    def organisation(self, org: str) -> Partner | None:
        """The organisation `org`, of a region or national."""
        found = self.partner(org)
        return found[1] if found else next((p for p in self.national if p.id == org), None)

    def radar_regions(self, region: str) -> list[str]:
        """The regions whose earlier contacts a contact in `region` is matched against: its
        own, and those the configuration joins it with."""
        joined = {r for group in self.radar_joins if region in group for r in group}
        return sorted(joined | {region})

    def letterhead(self, code: str) -> Letterhead | None:
        """The letterhead of `code`'s written orders, with the region's Veilig Thuis, police
        and public prosecutor as the copies; None for a municipality the chain lacks."""
        for region in self.regions:
            for m in region.municipalities:
                if m.code == code:
                    copies = [
                        p.name
                        for kind in ("veilig_thuis", "police", "openbaar_ministerie")
                        for p in region.partners_of(kind, code)
                    ]
                    return Letterhead(
                        municipality=m.name,
                        place=m.place or m.name,
                        address=m.address,
                        logo=m.logo,
                        rechtbank=m.rechtbank,
                        copies=copies,
                    )
        return None

    def municipality_name(self, code: str) -> str:
        """The municipality's name (its CBS code when the chain does not know it)."""
        names = {m.code: m.name for r in self.regions for m in r.municipalities}
        return names.get(code, code)

    def check_location(self, region: str, municipality: str) -> str | None:
        """None when `municipality` belongs to `region`; otherwise what is wrong."""
        found = self.region(region)
        if found is None:
            known = ", ".join(sorted(self._by_slug))
            return f"onbekende Veilig Thuis-regio {region!r}; bekende regio's: {known}"
        if municipality not in {m.code for m in found.municipalities}:
            return f"gemeente {municipality!r} hoort niet bij regio {region!r}"
        return None

    def check_partner(self, region: str, partner_id: str, kinds: tuple[str, ...]) -> str | None:
        """None when `partner_id` is a partner of one of `kinds` (any kind when none is given)
        in `region`; else why not."""
        found = self.partner(partner_id)
        if found is None or found[0].slug != region:
            return f"{partner_id!r} is geen partnerorganisatie van regio {region!r}"
        if kinds and found[1].kind not in kinds:
            return f"{partner_id!r} is {org_name(found[1].kind)}, niet " + " of ".join(
                org_name(k) for k in kinds
            )
        return None

    @classmethod
    def load(cls, path: Path) -> Chain:
        chain = cls.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        for m in (m for r in chain.regions for m in r.municipalities if m.logo):
            m.logo = (path.parent / m.logo).resolve()
            if not m.logo.is_file():
                raise ValueError(f"{m.code}: logo {m.logo} not found")
        return chain
