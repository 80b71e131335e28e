"""A municipality's zaaksysteem for the tests: the Zaken, Besluiten and Documenten APIs of VNG
Realisatie, each request validated against the OFFICIAL OpenAPI specification (tests/zgw/specs,
the current versions from VNG-Realisatie/gemma-zaken, EUPL 1.2): by Stoplight's prism
(`prism mock --errors`, when `prism` is set: tests/zgw/prism.py), to which each request is
forwarded first, and by `openapi-core` in this process.

A request that either finds non-conforming is answered 400 with the findings and kept in
`invalid`, so a test that asserts `invalid == []` fails on it. Valid requests are answered
from a small in-memory state (created resources, list filters, read-backs), which prism's
stateless mock cannot do. The JWT is checked too: HS256 with the client's secret and the
claims the ZGW APIs require.

On top, what the reference implementation Open Zaak (github.com/open-zaak/open-zaak, 1.x)
enforces and a mock of the specifications does not, answered as it answers (its problem
bodies: `code`, `detail`, `invalidParams` with name, code and reason), each rule with its
source in Open Zaak's code (src/openzaak/components/...):
- no status dated after the server's now, leeway 0 s (zaken/api/validators.py
  `DateNotInFutureValidator`, `TIME_LEEWAY` default 0), no besluit dated after the server's
  (UTC) today (besluiten/models.py, vng_api_common's `UntilTodayValidator`);
- one status per zaak without the scope `zaken.statussen.toevoegen` (zaken/api/viewsets.py,
  `StatusViewSet.perform_create`: "Met de 'zaken.aanmaken' scope mag je slechts 1 status
  zetten"); a besluit changed only with `besluiten.bijwerken`;
- a document linked to a zaak only when its type is related to the zaaktype
  (`missing-zaaktype-informatieobjecttype-relation`, zaken/api/validators.py);
- nothing more confidential than the client's maximum (autorisaties: 403);
- the end status only when the zaak has a resultaat (`resultaat-does-not-exist`) whose type
  has archive settings (`archiefactiedatum-error`; zaken/api/serializers/zaken.py
  `StatusSerializer.validate`); the zaak's status is the one with the latest
  `datumStatusGezet` (Zaak.current_status).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SPECS = Path(__file__).with_name("specs")
ZTC_REMOTE = (
    "https://raw.githubusercontent.com/VNG-Realisatie/gemma-zaken/master/api-specificatie/"
    "ztc/current_version/openapi.yaml"
)
# our mount point -> (spec file, collections it serves, which of them answer a paginated list)
APIS = {
    "zaken": ("zrc", {"zaken", "statussen", "zaakinformatieobjecten", "resultaten"}),
    "besluiten": ("brc", {"besluiten", "besluitinformatieobjecten"}),
    "documenten": ("drc", {"enkelvoudiginformatieobjecten"}),
    # read only: the municipality's catalogue, as `zaaksysteem_config` names it
    "catalogi": (
        "ztc",
        {"zaaktypen", "statustypen", "besluittypen", "informatieobjecttypen", "resultaattypen"},
    ),
}
PAGINATED = {"zaken", "statussen", "resultaten", "besluiten", "enkelvoudiginformatieobjecten"}


def _is_uri(value: str) -> bool:
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


# openapi-core checks format "uri" in bodies but has no formatter for it in query parameters
CONFIG = Config(extra_format_validators={"uri": _is_uri}, extra_format_unmarshallers={"uri": str})
CLAIMS = ("iss", "iat", "client_id", "user_id", "user_representation")
# the scopes a client of the municipality's zaaksysteem is given for ketenregie (NOTES-zgw.md)
SCOPES = {
    "zaken.lezen",
    "zaken.aanmaken",
    "zaken.bijwerken",
    "zaken.statussen.toevoegen",
    "besluiten.lezen",
    "besluiten.aanmaken",
    "besluiten.bijwerken",
    "documenten.lezen",
    "documenten.aanmaken",
    "catalogi.lezen",
}
# vertrouwelijkheidaanduiding, least confidential first
CONFIDENTIALITY = [
    "openbaar",
    "beperkt_openbaar",
    "intern",
    "zaakvertrouwelijk",
    "vertrouwelijk",
    "confidentieel",
    "geheim",
    "zeer_geheim",
]


def refusal(
    status: int, code: str, detail: str, params: list[tuple[str, str]] = ()
) -> JSONResponse:
    """An answer the way Open Zaak gives it (vng_api_common's problem details)."""
    titles = {400: "Invalid input.", 403: "Je hebt geen toestemming om deze actie uit te voeren."}
    body = {
        "type": f"http://zaaksysteem.test/ref/fouten/{code}/",
        "code": code,
        "title": titles.get(status, "Fout"),
        "status": status,
        "detail": detail,
        "instance": f"urn:uuid:{uuid.uuid4()}",
        "invalidParams": [
            {"name": name, "code": c, "reason": "Deze waarde wordt niet geaccepteerd."}
            for name, c in params
        ],
    }
    return JSONResponse(body, status)


def _local_refs(node: Any, ztc: str) -> Any:
    """The Zaken and Documenten APIs refer to the Catalogi API on GitHub: read our copy."""
    if isinstance(node, dict):
        return {k: _local_refs(v, ztc) for k, v in node.items()}
    if isinstance(node, list):
        return [_local_refs(v, ztc) for v in node]
    if isinstance(node, str) and node.startswith(ZTC_REMOTE):
        return ztc + node.removeprefix(ZTC_REMOTE)
    return node


class Spec:
    """One official specification and where its paths start."""

    def __init__(self, name: str) -> None:
        path = SPECS / f"{name}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.version = data["info"]["version"]
        data = _local_refs(data, (SPECS / "ztc.yaml").resolve().as_uri())
        self.openapi = OpenAPI.from_dict(data, base_uri=path.resolve().as_uri(), config=CONFIG)
        server = next(
            (s["url"] for s in data["servers"] if s["url"].endswith("/api/v1")),
            data["servers"][-1]["url"],
        )
        parts = urlsplit(server)
        self.host = f"{parts.scheme}://{parts.netloc}" if parts.netloc else "http://localhost"
        self.base = parts.path

    def problems(self, request: Request, suffix: str, body: bytes) -> list[str]:
        mock = MockRequest(
            self.host,
            request.method.lower(),
            self.base + suffix,
            args=dict(request.query_params),
            headers=dict(request.headers),
            data=body or None,
            content_type=request.headers.get("content-type", "application/json"),
        )
        result = self.openapi.unmarshal_request(mock)
        out = []
        for error in result.errors:
            out.append(f"{type(error).__name__}: {error}")
            cause = error.__cause__
            while cause is not None:
                details = getattr(cause, "schema_errors", None)
                if details:
                    out.extend(f"  {e.json_path}: {e.message}" for e in details)
                cause = cause.__cause__
        return out


def zaaksysteem_config(base_url: str, client_id: str = "ketenregie") -> dict[str, Any]:
    """A chain file's zaaksysteem block for a fake served at `base_url`."""
    catalogi = f"{base_url}/catalogi/api/v1"
    return {
        "zaken_api": f"{base_url}/zaken/api/v1",
        "besluiten_api": f"{base_url}/besluiten/api/v1",
        "documenten_api": f"{base_url}/documenten/api/v1",
        "zaaktype": f"{catalogi}/zaaktypen/{uuid.UUID(int=1)}",
        "besluittypen": {
            kind: f"{catalogi}/besluittypen/{uuid.UUID(int=10 + i)}"
            for i, kind in enumerate(("oplegging", "afwijzing", "verlenging", "intrekking"))
        },
        "informatieobjecttype": f"{catalogi}/informatieobjecttypen/{uuid.UUID(int=20)}",
        "statustypen": {
            kind: f"{catalogi}/statustypen/{uuid.UUID(int=30 + i)}"
            for i, kind in enumerate(("aangevraagd", "opgelegd", "verlengd", "beeindigd"))
        },
        "resultaattypen": {
            kind: f"{catalogi}/resultaattypen/{uuid.UUID(int=40 + i)}"
            for i, kind in enumerate(("afgewezen", "afgelopen", "ingetrokken", "opgeheven"))
        },
        "rsin": "002220647",
        "client_id": client_id,
    }


def with_zaaksysteem(chain_file: Path, partner_id: str, base_url: str) -> Path:
    """Point the mayor's office `partner_id` of the chain file at a fake at `base_url`."""
    chain = yaml.safe_load(chain_file.read_text(encoding="utf-8"))
    for region in chain["regions"]:
        for partner in region["partners"]:
            if partner["id"] == partner_id:
                partner["zaaksysteem"] = zaaksysteem_config(base_url)
    chain_file.write_text(yaml.safe_dump(chain, allow_unicode=True), encoding="utf-8")
    return chain_file


class FakeZaaksysteem:
    """The three APIs under /zaken/api/v1, /besluiten/api/v1 and /documenten/api/v1."""

    def __init__(self, secret: bytes, client_id: str = "ketenregie") -> None:
        self.specs = {mount: Spec(spec) for mount, (spec, _) in APIS.items()}
        self.secret, self.client_id = secret, client_id
        self.base_url = ""  # set when served
        self.store: dict[str, dict[str, dict]] = {c: {} for _, cs in APIS.values() for c in cs}
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status)
        self.invalid: list[tuple[str, str, list[str]]] = []
        self.prism: dict[str, str] | None = None  # mount point -> a prism mock of its spec
        self.down = False  # answer 503 to everything
        self.lose_answer: set[str] = set()  # create, then answer 502 once (a lost answer)
        self.slow: dict[str, float] = {}  # create, then answer after so many seconds
        self.created: list[str] = []  # the collections created in, in order
        # the client's application in the zaaksysteem, and its catalogue: as the municipality
        # set them up (a test plants a mistake by changing one)
        self.scopes = set(SCOPES)
        self.max_confidentiality = "vertrouwelijk"
        self.related_documenttypes = {urlsplit(self.config_of("")["informatieobjecttype"]).path}
        self.unarchived: set[str] = set()  # resultaattypen without archive settings
        # planted in the catalogue: a type's path -> fields changed, or None (it is not there)
        self.planted: dict[str, dict | None] = {}
        self.app = Starlette(
            routes=[
                Route("/{mount}/api/v1/{collection}", self._collection, methods=["GET", "POST"]),
                Route(
                    "/{mount}/api/v1/{collection}/{uuid}", self._detail, methods=["GET", "PATCH"]
                ),
            ]
        )

    def config(self) -> dict[str, Any]:
        """The chain file's zaaksysteem block for this fake."""
        return self.config_of(self.base_url)

    def config_of(self, base_url: str) -> dict[str, Any]:
        return zaaksysteem_config(base_url, self.client_id)

    def _types(self, kind: str) -> dict[str, str]:
        """The catalogue's types of a kind by their path (the fake's address may be set late)."""
        return {urlsplit(url).path: name for name, url in self.config_of("")[kind].items()}

    # --- what the tests look at ---

    def all(self, collection: str) -> list[dict]:
        return list(self.store[collection].values())

    def counts(self) -> dict[str, int]:
        return {c: len(items) for c, items in self.store.items()}

    # --- the HTTP side ---

    async def _answer(self, request: Request, suffix: str) -> tuple[str, str, bytes, Response]:
        mount, collection = request.path_params["mount"], request.path_params["collection"]
        body = await request.body()
        if mount not in APIS or collection not in APIS[mount][1]:
            return mount, collection, body, JSONResponse({"detail": "onbekend"}, 404)
        if self.down:
            return mount, collection, body, JSONResponse({"detail": "onderhoud"}, 503)
        if problem := self._unauthorised(request):
            return mount, collection, body, JSONResponse({"detail": problem}, 403)
        problems = await self._prism(request, mount, body)
        problems += self.specs[mount].problems(request, suffix, body)
        if problems:
            self.invalid.append((request.method, request.url.path, problems))
            return (
                mount,
                collection,
                body,
                JSONResponse(
                    {"title": "Ongeldige request", "invalidParams": [], "detail": problems}, 400
                ),
            )
        return mount, collection, body, None

    async def _prism(self, request: Request, mount: str, body: bytes) -> list[str]:
        """What prism finds wrong with the request: its `sl-violations` of the request, of
        severity Error, or its own refusal (no such path or method, no credentials)."""
        if self.prism is None or mount not in self.prism:  # the Catalogi API: openapi-core only
            return []
        path = request.url.path.removeprefix(f"/{mount}/api/v1")
        headers = {k: v for k, v in request.headers.items() if k not in ("host", "content-length")}
        async with httpx.AsyncClient(base_url=self.prism[mount], timeout=30) as prism:
            answer = await prism.request(
                request.method,
                path,
                params=request.query_params.multi_items(),
                headers=headers,
                content=body,
            )
        violations = json.loads(answer.headers.get("sl-violations") or "[]")
        found = [
            f"prism: {'.'.join(map(str, v['location']))}: {v['message']}"
            for v in violations
            # prism's own mock answers do not always satisfy the specification (it says so in
            # violations of the response, with a 500): only the request's count here
            if v.get("severity") == "Error" and v["location"][:1] == ["request"]
        ]
        if not found and answer.status_code in (401, 404, 405, 406, 415, 422):
            found.append(f"prism: {answer.status_code} {answer.text[:300]}")
        return found

    def _unauthorised(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return "geen JWT"
        try:
            claims = jwt.decode(header.removeprefix("Bearer "), self.secret, algorithms=["HS256"])
        except jwt.PyJWTError as e:
            return f"ongeldig JWT: {e}"
        missing = [c for c in CLAIMS if c not in claims]
        if missing or claims["client_id"] != self.client_id:
            return f"claims ontbreken of kloppen niet: {missing}"
        return None

    def _record(self, request: Request, response: Response) -> Response:
        self.requests.append((request.method, request.url.path, response.status_code))
        return response

    async def _collection(self, request: Request) -> Response:
        collection = request.path_params["collection"]
        mount, collection, body, refused = await self._answer(request, f"/{collection}")
        if refused is not None:
            return self._record(request, refused)
        if request.method == "GET":
            found = [
                item
                for item in self.store[collection].values()
                if all(str(item.get(k)) == v for k, v in request.query_params.items())
            ]
            if collection in PAGINATED:
                listing = {"count": len(found), "next": None, "previous": None, "results": found}
                return self._record(request, JSONResponse(listing))
            return self._record(request, JSONResponse(found))
        item = json.loads(body)
        if refused := self._refused(collection, item):
            return self._record(request, refused)
        if rule := self._broken_rule(collection, item):
            self.invalid.append((request.method, request.url.path, [f"regel: {rule}"]))
            problem = {"title": "Ongeldige request", "invalidParams": [], "detail": rule}
            return self._record(request, JSONResponse(problem, 400))
        key = str(uuid.uuid4())
        item["uuid"] = key
        item["url"] = f"{self.base_url}/{mount}/api/v1/{collection}/{key}"
        self.store[collection][key] = item
        if collection == "statussen":
            zaak = self._by_url("zaken", item["zaak"])
            if zaak is not None:  # its status: the latest by datumStatusGezet
                mine = [s for s in self.all("statussen") if s["zaak"] == item["zaak"]]
                latest = max(mine, key=lambda s: datetime.fromisoformat(s["datumStatusGezet"]))
                zaak["status"] = latest["url"]
        self.created.append(collection)
        if pause := self.slow.get(collection):
            await asyncio.sleep(pause)
        if collection in self.lose_answer:
            self.lose_answer.discard(collection)
            return self._record(request, JSONResponse({"detail": "gateway"}, 502))
        return self._record(request, JSONResponse(item, 201))

    async def _detail(self, request: Request) -> Response:
        collection = request.path_params["collection"]
        suffix = f"/{collection}/{request.path_params['uuid']}"
        _, collection, body, refused = await self._answer(request, suffix)
        if refused is not None:
            return self._record(request, refused)
        item = self.store[collection].get(request.path_params["uuid"])
        if collection in APIS["catalogi"][1]:
            item = self._catalogue().get(request.url.path)
        if item is None:
            return self._record(request, Response(status_code=404))
        if request.method == "PATCH":
            if collection != "besluiten" or "besluiten.bijwerken" not in self.scopes:
                detail = "Met de scopes van deze applicatie mag dit niet gewijzigd worden"
                return self._record(request, refusal(403, "permission_denied", detail))
            item.update(json.loads(body))
        return self._record(request, JSONResponse(item))

    def _catalogue(self) -> dict[str, dict]:
        """The catalogue as the municipality set it up (published, related, in order, with
        archive settings), with the mistakes a test planted; by path."""
        cfg = self.config()
        items: dict[str, dict] = {
            cfg["zaaktype"]: {
                "concept": False,
                "informatieobjecttypen": [
                    cfg["informatieobjecttype"]
                    for path in self.related_documenttypes
                    if urlsplit(cfg["informatieobjecttype"]).path == path
                ],
                "besluittypen": list(cfg["besluittypen"].values()),
                "statustypen": list(cfg["statustypen"].values()),
                "resultaattypen": list(cfg["resultaattypen"].values()),
            },
            cfg["informatieobjecttype"]: {"concept": False, "zaaktypen": [cfg["zaaktype"]]},
        }
        for url in cfg["besluittypen"].values():
            items[url] = {"concept": False, "zaaktypen": [cfg["zaaktype"]]}
        for i, url in enumerate(cfg["statustypen"].values()):
            items[url] = {"volgnummer": i + 1, "zaaktype": cfg["zaaktype"]}
        for url in cfg["resultaattypen"].values():
            archive = urlsplit(url).path not in self.unarchived
            items[url] = {
                "zaaktype": cfg["zaaktype"],
                "archiefnominatie": "vernietigen" if archive else "",
                "archiefactietermijn": "P5Y" if archive else None,
                "brondatumArchiefprocedure": {"afleidingswijze": "afgehandeld" if archive else ""},
            }
        out = {}
        for url, item in items.items():
            path = urlsplit(url).path
            if path in self.planted and self.planted[path] is None:
                continue
            out[path] = {"url": url, **item, **(self.planted.get(path) or {})}
        return out

    def _refused(self, collection: str, item: dict) -> Response | None:
        """What Open Zaak refuses beyond the specifications (the module's docstring)."""
        now = datetime.now(UTC)
        if collection == "statussen":
            if datetime.fromisoformat(item["datumStatusGezet"]) > now:
                return refusal(
                    400,
                    "invalid",
                    "",
                    [("datumStatusGezet", "date-in-future")],
                )
            earlier = [s for s in self.all("statussen") if s["zaak"] == item["zaak"]]
            if earlier and "zaken.statussen.toevoegen" not in self.scopes:
                return refusal(
                    403,
                    "permission_denied",
                    "Met de 'zaken.aanmaken' scope mag je slechts 1 status zetten",
                )
            if self._types("statustypen").get(urlsplit(item["statustype"]).path) == "beeindigd":
                resultaat = next(
                    (r for r in self.all("resultaten") if r["zaak"] == item["zaak"]), None
                )
                if resultaat is None:
                    return refusal(
                        400, "invalid", "", [("nonFieldErrors", "resultaat-does-not-exist")]
                    )
                if urlsplit(resultaat["resultaattype"]).path in self.unarchived:
                    return refusal(
                        400, "invalid", "", [("nonFieldErrors", "archiefactiedatum-error")]
                    )
        if collection == "besluiten" and item.get("datum", "") > now.date().isoformat():
            return refusal(400, "invalid", "", [("datum", "future_not_allowed")])
        if collection in ("zaken", "enkelvoudiginformatieobjecten"):
            wanted = item.get("vertrouwelijkheidaanduiding", "openbaar")
            if CONFIDENTIALITY.index(wanted) > CONFIDENTIALITY.index(self.max_confidentiality):
                return refusal(403, "permission_denied", "")
        if collection == "zaakinformatieobjecten":
            document = self._by_url("enkelvoudiginformatieobjecten", item["informatieobject"])
            if (
                document is not None
                and urlsplit(document["informatieobjecttype"]).path
                not in self.related_documenttypes
            ):
                return refusal(
                    400,
                    "invalid",
                    "",
                    [("nonFieldErrors", "missing-zaaktype-informatieobjecttype-relation")],
                )
        return None

    def _broken_rule(self, collection: str, item: dict) -> str | None:
        """The rules the specifications state in words ("Er wordt gevalideerd op"), for the
        resources we create: unique identifiers and links, references that exist, and the
        end status only once every document of the zaak has `indicatieGebruiksrecht`."""
        if collection == "zaken" and any(
            z["identificatie"] == item.get("identificatie")
            and z["bronorganisatie"] == item["bronorganisatie"]
            for z in self.all("zaken")
        ):
            return "identificatie moet uniek zijn binnen de bronorganisatie"
        if collection == "besluiten":
            if any(
                b.get("identificatie") == item.get("identificatie")
                and b["verantwoordelijkeOrganisatie"] == item["verantwoordelijkeOrganisatie"]
                for b in self.all("besluiten")
            ):
                return "identificatie moet uniek zijn binnen de verantwoordelijke organisatie"
            if item.get("zaak") and self._by_url("zaken", item["zaak"]) is None:
                return "zaak bestaat niet"
        if collection == "resultaten" and any(
            r["zaak"] == item["zaak"] for r in self.all("resultaten")
        ):
            return "een zaak heeft één resultaat"
        links = {
            "statussen": (("zaak", "zaken"),),
            "resultaten": (("zaak", "zaken"),),
            "zaakinformatieobjecten": (
                ("zaak", "zaken"),
                ("informatieobject", "enkelvoudiginformatieobjecten"),
            ),
            "besluitinformatieobjecten": (
                ("besluit", "besluiten"),
                ("informatieobject", "enkelvoudiginformatieobjecten"),
            ),
        }
        for field, target in links.get(collection, ()):
            if self._by_url(target, item[field]) is None:
                return f"{field} bestaat niet"
        if collection in ("zaakinformatieobjecten", "besluitinformatieobjecten"):
            ends = [field for field, _ in links[collection]]
            if any(all(x[f] == item[f] for f in ends) for x in self.all(collection)):
                return "de combinatie moet uniek zijn"
        if collection == "statussen":
            zaak = self._by_url("zaken", item["zaak"])
            if zaak.get("einddatum"):
                return "de zaak is afgesloten"
            if item["statustype"] == self.config()["statustypen"]["beeindigd"]:
                documents = [
                    self._by_url("enkelvoudiginformatieobjecten", z["informatieobject"])
                    for z in self.all("zaakinformatieobjecten")
                    if z["zaak"] == item["zaak"]
                ]
                if any(d.get("indicatieGebruiksrecht") is None for d in documents):
                    return "bij de eindstatus moet indicatieGebruiksrecht gezet zijn"
                zaak["einddatum"] = item["datumStatusGezet"][:10]
        return None

    def _by_url(self, collection: str, url: str) -> dict | None:
        return next((i for i in self.store[collection].values() if i["url"] == url), None)
