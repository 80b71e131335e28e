"""What every service function is given: the process's parts and the caller."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from temporalio.client import Client

from domain.access import Principal, Scope, scope_of
from domain.catalogue import CATALOGUE, Catalogue
from domain.chain import Chain
from domain.chain_policy import Policy
from domain.models import CLOCK_SKEW
from domain.radar import Radar
from domain.workdays import dutch_time
from services.errors import unprocessable
from store.db import create_pool

IDS = uuid.UUID("5d3b4e0a-6b65-7465-6e72-656769650001")  # namespace of derived ids


class AuditEntry:
    """What one request did to case data; written to the access log after the response."""

    def __init__(
        self, path_params: dict[str, str], seed: str | None = None, view_id: str | None = None
    ) -> None:
        self.seed = (
            seed  # the principal's idempotency key: what this request creates is named by it
        )
        self.action: str | None = None  # set once the caller is known and authorised or refused
        self.case_ids: list[str] = [path_params["case_id"]] if "case_id" in path_params else []
        self.person_refs: list[str] = []
        self.advice_ids: list[str] = []
        self.huisverbod_id: str | None = path_params.get("huisverbod_id")
        self.detail = ""
        # a page's live refresh names the view it belongs to: one entry per view and action
        self.view_id = view_id

    def touches(self, case_id: str, person_refs: list[str] = ()) -> None:
        if case_id not in self.case_ids:
            self.case_ids.append(case_id)
        self.person_refs.extend(r for r in person_refs if r not in self.person_refs)

    def touches_advice(self, advice_id: str, person_refs: list[str] = ()) -> None:
        if advice_id not in self.advice_ids:
            self.advice_ids.append(advice_id)
        self.person_refs.extend(r for r in person_refs if r not in self.person_refs)


@dataclass(frozen=True)
class Parts:
    """One pool, one Temporal client and the configuration per process (the chain, the
    policy new cases start with, the task queue, the radar and the figures' suppression
    threshold). A service takes a pool connection per unit of work, never across an await
    on Temporal."""

    pool: asyncpg.Pool
    client: Client
    chain: Chain
    policy: Policy
    task_queue: str
    radar: Radar
    figures_threshold: int
    catalogue: Catalogue = CATALOGUE  # the procedures, their rules and notices


@dataclass(frozen=True)
class Caller:
    principal: Principal
    audit: AuditEntry

    @property
    def scope(self) -> Scope:
        return scope_of(self.principal)

    def new_id(self, what: str) -> str:
        """The id of what this command creates: derived from the request's idempotency key
        when it has one, so a retry (even after a crash) names the same case, huisverbod,
        path or placement and creates nothing twice; otherwise a fresh one."""
        if self.audit.seed is None:
            return uuid.uuid4().hex
        return uuid.uuid5(IDS, f"{self.audit.seed}:{what}").hex


def at_or_now(at: datetime | None, field: str = "at") -> datetime:
    """The moment of a command: `at` when given and not in the future (a few minutes' clock
    skew allowed), else now."""
    now = datetime.now(UTC)
    if at is None:
        return now
    if at - now > CLOCK_SKEW:
        raise unprocessable(f"{field} {dutch_time(at)} ligt in de toekomst")
    return at


async def open_pool(url: str, **sizes: int) -> asyncpg.Pool:
    """A pool of connections to the database, for `Parts.pool` (sizes: min_size, max_size)."""
    return await create_pool(url, **sizes)
