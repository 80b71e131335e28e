"""Filing a huisverbod in its municipality's zaaksysteem through the ZGW APIs.

A channel of the outbox (`Sender.send`, channel `zgw`): each huisverbod event the mayor's
office is configured for becomes one delivery, which the region's dispatcher sends with the
outbox's retries and backoff. A delivery files everything the ban's timeline calls for up
to its event (`domain.zgw.steps`), in order, under an advisory lock keyed by the huisverbod:
events delivered side by side take turns, and the later one finds the earlier one's work
done. Every resource is looked up before it is created — in `zgw_resources` first, then in
the zaaksysteem itself by its identificatie (or its links), for a crash between the create
and the bookkeeping — so a retry never creates a second zaak, besluit or document.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import certifi
import httpx
import jwt
from temporalio.exceptions import ApplicationError

from activities.channels import RETRYABLE_STATUS, permanent
from domain import zgw
from domain.chain import Chain, Letterhead, Zaaksysteem
from domain.huisverbod import HuisverbodSnapshot
from domain.huisverbod_order import written_order
from domain.huisverbod_policy import HuisverbodPolicy
from domain.order_pdf import render
from store import zaaksysteem as store
from store import zgw_checks

READ_MODEL_WAIT = (0.2, 0.5, 1.0)  # a decision is announced just before it is published
# filings side by side in one worker: each holds a pooled connection (its lock) while it
# talks to the zaaksysteem, and the rest of a dispatcher's round needs connections too
CONCURRENT = 4


class ZgwClient:
    """The three APIs of one zaaksysteem, with ketenregie's JWT."""

    def __init__(self, cfg: Zaaksysteem, secret: bytes, client: httpx.AsyncClient) -> None:
        self.cfg = cfg
        self._http = client
        token = jwt.encode(zgw.jwt_claims(cfg.client_id, datetime.now(UTC)), secret, "HS256")
        self._auth = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def _headers(self, url: str) -> dict[str, str]:
        if url.startswith(self.cfg.zaken_api.rstrip("/") + "/zaken"):  # the zaak resource
            return {**self._auth, "Accept-Crs": zgw.CRS, "Content-Crs": zgw.CRS}
        return self._auth

    async def find(
        self, url: str, params: dict[str, str], match: Callable[[dict], bool] = lambda _: True
    ) -> str | None:
        """The URL of the first resource the list at `url` answers for `params`."""
        return next((item["url"] for item in await self.items(url, params) if match(item)), None)

    async def items(self, url: str, params: dict[str, str]) -> list[dict]:
        """What the list at `url` answers for `params` (its first page: a handful here)."""
        response = await self._http.get(url, params=params, headers=self._headers(url))
        body = _checked(response, url)
        return body["results"] if isinstance(body, dict) else body

    async def read(self, url: str) -> dict | None:
        """The resource at `url`; None when there is none."""
        response = await self._http.get(url, headers=self._headers(url))
        return None if response.status_code == 404 else _checked(response, url)

    async def create(self, url: str, body: dict[str, Any]) -> str:
        response = await self._http.post(url, json=body, headers=self._headers(url))
        return _checked(response, url)["url"]

    async def update(self, url: str, change: dict[str, Any], keep: tuple[str, ...]) -> str:
        """Change a resource (PATCH), sending the fields `keep` as they are: the official
        specification wants a PATCH's body whole (the Besluiten API's required fields)."""
        current = _checked(await self._http.get(url, headers=self._headers(url)), url)
        body = {k: current[k] for k in keep if k in current} | change
        response = await self._http.patch(url, json=body, headers=self._headers(url))
        return _checked(response, url)["url"]


def _checked(response: httpx.Response, url: str) -> Any:
    """The answer's body; a refusal raises, in Dutch with what the zaaksysteem says to fix
    (`zgw.problem`: never values). Permanent when retrying cannot help — until the
    configuration is fixed and the ban filed again (`store.zaaksysteem.refile`); a date the
    zaaksysteem's clock has not reached yet is retried."""
    if response.status_code < 300:
        return response.json()
    try:
        body = response.json()
    except ValueError:
        body = None
    told, codes = zgw.problem(response.status_code, body)
    path = httpx.URL(url).path
    reason = f"{response.request.method} {path}: {told}"
    if (
        400 <= response.status_code < 500
        and response.status_code not in RETRYABLE_STATUS
        and not codes & zgw.CURABLE
    ):
        raise permanent(reason)
    raise RuntimeError(reason)


async def check_catalogue(cfg: Zaaksysteem, secret: bytes, timeout: float = 10.0) -> list[str]:
    """What the municipality's catalogue lacks for ketenregie's filings, in Dutch (read from
    its Catalogi API with ketenregie's client: `zgw.catalogue_problems`); what could not be
    read is a finding too."""
    tls = ssl.create_default_context(cafile=certifi.where())
    found: dict[str, dict | None] = {}
    async with httpx.AsyncClient(timeout=timeout, verify=tls) as http:
        api = ZgwClient(cfg, secret, http)
        for url in set(zgw.catalogue_urls(cfg).values()):
            try:
                found[url] = await api.read(url)
            except (httpx.HTTPError, ApplicationError, RuntimeError) as e:
                return [f"de catalogus kon niet gelezen worden: {type(e).__name__}: {e}"]
    return zgw.catalogue_problems(cfg, found)


async def check_catalogues(
    pool: asyncpg.Pool, chain: Chain, secret: Callable[[str], bytes]
) -> dict[str, list[str]]:
    """Check the catalogue of every mayor's office with a zaaksysteem and keep what each
    check found (`store.zgw_checks`, for /healthz and the inbox); per office."""
    found = {}
    for region in chain.regions:
        for partner in region.partners:
            if partner.zaaksysteem is None:
                continue
            problems = await check_catalogue(partner.zaaksysteem, secret(partner.id))
            async with pool.acquire() as conn:
                await zgw_checks.record(
                    conn, partner.id, partner.municipality or "", datetime.now(UTC), problems
                )
            found[partner.id] = problems
    return found


class ZaaksysteemFiler:
    def __init__(
        self,
        pool: asyncpg.Pool,
        chain: Chain,
        secret: Callable[[str], bytes],
        policy: HuisverbodPolicy,
        timeout: float = 10.0,
    ) -> None:
        self._pool = pool
        self._chain = chain
        self._secret = secret
        self._policy = policy
        self._timeout = timeout
        self._tls = ssl.create_default_context(cafile=certifi.where())
        self._turns = asyncio.Semaphore(CONCURRENT)

    async def file(self, d: dict) -> None:
        """File delivery `d`'s event, and every earlier one not filed yet."""
        async with self._turns:
            await self._file_delivery(d)

    async def _file_delivery(self, d: dict) -> None:
        body = d["body"]
        huisverbod_id, event = body["huisverbod_id"], body["event"]
        at = datetime.fromisoformat(body["at"])
        partner = self._chain.organisation(d["partner_id"] or "")
        if partner is None or partner.zaaksysteem is None:
            raise permanent("voor deze gemeente is geen zaaksysteem (meer) ingesteld")
        async with self._pool.acquire() as conn:
            await self._wait_for_read_model(conn, huisverbod_id, event, at)
            await store.lock(conn, huisverbod_id)
            try:
                found = await store.huisverbod(conn, huisverbod_id)
                if found is None:
                    raise permanent("het huisverbod staat niet (meer) in ketenregie")
                async with httpx.AsyncClient(timeout=self._timeout, verify=self._tls) as http:
                    api = ZgwClient(partner.zaaksysteem, self._secret(partner.id), http)
                    await self._file(conn, api, found, at)
            finally:
                await store.unlock(conn, huisverbod_id)

    async def _wait_for_read_model(
        self, conn: asyncpg.Connection, huisverbod_id: str, event: str, at: datetime
    ) -> None:
        for pause in (*READ_MODEL_WAIT, None):
            found = await store.huisverbod(conn, huisverbod_id)
            hv = HuisverbodSnapshot(**found["snapshot"]) if found else None
            if hv and any(e.kind == event and e.at == at for e in hv.timeline):
                return
            if pause is None:
                # the outbox tries again with its backoff
                raise RuntimeError(
                    "de leesweergave van het huisverbod kent deze gebeurtenis nog niet"
                )
            await asyncio.sleep(pause)

    async def _file(
        self, conn: asyncpg.Connection, api: ZgwClient, found: dict, until: datetime
    ) -> None:
        cfg = api.cfg
        hv = HuisverbodSnapshot(**found["snapshot"])
        known = await store.resources(conn, hv.huisverbod_id)

        async def ensure(key: str, find: Callable[[], Awaitable[str | None]], create) -> str:
            if key not in known:
                url = await find() or await create()
                known[key] = await store.remember(conn, hv.huisverbod_id, key, url)
            return known[key]

        now, previous = datetime.now(UTC), None

        async def moment(step: zgw.Step) -> datetime:
            """The step's filed moment, fixed at its first filing (`zgw.filed_moment`)."""
            nonlocal previous
            key = f"moment:{step.key}"
            if key not in known:
                at = zgw.filed_moment(step.at, now, previous).isoformat()
                known[key] = await store.remember(conn, hv.huisverbod_id, key, at)
            previous = datetime.fromisoformat(known[key])
            return previous

        zaken = cfg.zaken_api.rstrip("/")
        ident = zgw.zaak_identificatie(hv.huisverbod_id, found["number"])
        zaak = await ensure(
            "zaak",
            lambda: api.find(
                f"{zaken}/zaken", {"identificatie": ident, "bronorganisatie": cfg.rsin}
            ),
            lambda: api.create(f"{zaken}/zaken", zgw.zaak_body(cfg, ident, hv)),
        )
        letterhead = self._chain.letterhead(hv.municipality)
        if letterhead is None:
            raise permanent("de gemeente van het huisverbod staat niet in de ketenconfiguratie")
        steps = zgw.steps(hv, self._policy, until)
        for i, step in enumerate(steps):
            at = await moment(step)
            if step.filing.besluit is not None:
                await self._besluit(api, ensure, step, at, hv, found, zaak, ident, letterhead)
            for earlier, change in zgw.cut_short(steps[:i], step):
                besluit = known.get(f"besluit:{earlier.key}")
                if besluit is not None:
                    await ensure(
                        f"vervallen:{earlier.key}",
                        lambda: _none(),
                        lambda b=besluit, c=change: api.update(b, c, zgw.BESLUIT_REQUIRED),
                    )
            if step.filing.resultaat in cfg.resultaattypen:
                await self._resultaat(api, ensure, zaak, step)
            nth = sum(s.filing.status == step.filing.status for s in steps[:i])
            await self._status(api, ensure, zaak, step, at, nth)

    async def _resultaat(self, api: ZgwClient, ensure, zaak: str, step: zgw.Step) -> None:
        """The zaak's one resultaat: how the ban ended (found again by its zaak)."""
        resultaten = f"{api.cfg.zaken_api.rstrip('/')}/resultaten"
        body = zgw.resultaat_body(api.cfg, zaak, step.filing.resultaat)
        await ensure(
            "resultaat",
            lambda: api.find(resultaten, {"zaak": zaak}),
            lambda: api.create(resultaten, body),
        )

    async def _status(
        self, api: ZgwClient, ensure, zaak: str, step: zgw.Step, at: datetime, nth: int
    ) -> None:
        """The zaak's status the step sets: found again as the `nth` (from 0) of its type,
        by date — the ban's second extension is the zaak's second status `verlengd` — which
        holds whatever moment it was filed as."""
        statussen = f"{api.cfg.zaken_api.rstrip('/')}/statussen"
        status = zgw.status_body(api.cfg, zaak, step, at)

        async def find() -> str | None:
            found = await api.items(statussen, {"zaak": zaak, "statustype": status["statustype"]})
            found.sort(key=lambda s: datetime.fromisoformat(s["datumStatusGezet"]))
            return found[nth]["url"] if nth < len(found) else None

        await ensure(
            f"status:{step.filing.status}:{step.at.isoformat()}",
            find,
            lambda: api.create(statussen, status),
        )

    async def _besluit(
        self,
        api: ZgwClient,
        ensure,
        step: zgw.Step,
        at: datetime,
        hv: HuisverbodSnapshot,
        found: dict,
        zaak: str,
        zaak_ident: str,
        letterhead: Letterhead,
    ) -> None:
        """The decision's besluit, and its written order linked to the zaak and to it."""
        cfg = api.cfg
        zaken, besluiten = cfg.zaken_api.rstrip("/"), cfg.besluiten_api.rstrip("/")
        documenten = cfg.documenten_api.rstrip("/")
        ident = zgw.besluit_identificatie(zaak_ident, step)
        besluit = await ensure(
            f"besluit:{step.key}",
            lambda: api.find(
                f"{besluiten}/besluiten",
                {"identificatie": ident, "verantwoordelijkeOrganisatie": cfg.rsin},
            ),
            lambda: api.create(
                f"{besluiten}/besluiten", zgw.besluit_body(cfg, ident, zaak, step, at)
            ),
        )
        if step.filing.order is None:
            return
        order = written_order(
            step.filing.order, zgw.as_of(hv, step), found, letterhead, self._policy, zaak_ident
        )

        async def create_document() -> str:
            pdf = await asyncio.to_thread(render, order)  # the bytes the API serves
            return await api.create(
                f"{documenten}/enkelvoudiginformatieobjecten",
                zgw.document_body(
                    cfg, ident, order.title, order.municipality, order.decided_at, pdf
                ),
            )

        document = await ensure(
            f"document:{step.key}",
            lambda: api.find(
                f"{documenten}/enkelvoudiginformatieobjecten",
                {"identificatie": ident, "bronorganisatie": cfg.rsin},
            ),
            create_document,
        )
        await ensure(
            f"zaakinformatieobject:{step.key}",
            lambda: api.find(
                f"{zaken}/zaakinformatieobjecten", {"zaak": zaak, "informatieobject": document}
            ),
            lambda: api.create(
                f"{zaken}/zaakinformatieobjecten",
                zgw.zaakinformatieobject_body(zaak, document, order.title),
            ),
        )
        await ensure(
            f"besluitinformatieobject:{step.key}",
            lambda: api.find(
                f"{besluiten}/besluitinformatieobjecten",
                {"besluit": besluit, "informatieobject": document},
            ),
            lambda: api.create(
                f"{besluiten}/besluitinformatieobjecten",
                zgw.besluitinformatieobject_body(besluit, document),
            ),
        )


async def _none() -> None:
    """A change (a PATCH) has nothing to look up: applying it twice changes nothing."""
