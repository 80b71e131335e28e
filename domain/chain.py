"""The chain configuration of a deployment: regions, their municipalities and partners."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel


class Municipality(BaseModel):
    code: str
    name: str


class Partner(BaseModel):
    id: str
    kind: str
    name: str
    municipality: str | None = None


class Region(BaseModel):
    slug: str
    name: str
    municipalities: list[Municipality]
    partners: list[Partner] = []


class Chain(BaseModel):
    regions: list[Region]

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

    def check_location(self, region: str, municipality: str) -> str | None:
        """None when `municipality` belongs to `region`; otherwise what is wrong."""
        found = self.region(region)
        if found is None:
            known = ", ".join(sorted(self._by_slug))
            return f"unknown Veilig Thuis region {region!r}; known regions: {known}"
        if municipality not in {m.code for m in found.municipalities}:
            return f"municipality {municipality!r} is not in region {region!r}"
        return None

    @classmethod
    def load(cls, path: Path) -> Chain:
        return cls.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
