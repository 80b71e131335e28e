"""The v1 API's OpenAPI document as the NL API Design Rules want it, served at
`/v1/openapi.json` to anyone (/core/publish-openapi).

FastAPI generates the document from the routes; this adds what it cannot know: the base path
with the major version as the server (/core/uri-version), the contact (/core/doc-openapi-
contact), the `API-Version` header on every success (/core/version-header), a 400 on every
operation that takes input (/core/error-handling/invalid-input) and problem details for every
error (/core/error-handling/problem-details). The official Spectral ruleset checks the result
in the suite (tests/integration/test_api_design_rules.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.problems import MEDIA_TYPE, Problem

API_VERSION = (
    "1.2.0"  # semver of the v1 API (/core/semver); its changes: docs/integrators.md, "Changelog"
)
MAJOR = "/v1"
OPENAPI_URL = f"{MAJOR}/openapi.json"
VERSION_HEADER = "API-Version"

DESCRIPTION = (
    "Ketenregie voor Veilig Thuis en zijn ketenpartners: meldingen en adviesvragen, casussen "
    "met hun termijnen, het tijdelijk huisverbod, kinderbescherming, MDA++ en acute "
    "veiligheid. Elke fout is een problem details-bericht (RFC 9457) met de reden in het "
    "Nederlands; elke succesvolle response draagt de header `API-Version`."
)


def v1_document(app: FastAPI, contact: dict[str, str]) -> dict[str, Any]:
    """The document of the `/v1` routes, their paths relative to the server `/v1`."""
    full = get_openapi(
        title="ketenregie",
        version=API_VERSION,
        summary=app.summary,
        description=DESCRIPTION,
        routes=app.routes,
        contact=contact,
    )
    full["servers"] = [{"url": MAJOR, "description": "deze omgeving"}]
    full["paths"] = {
        path.removeprefix(MAJOR): _operations(item)
        for path, item in full["paths"].items()
        if path.startswith(MAJOR + "/")
    }
    schemas = full.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas.update(_problem_schemas())
    return _date_types(full)


def _operations(item: dict[str, Any]) -> dict[str, Any]:
    for method, op in item.items():
        responses = op.setdefault("responses", {})
        takes_input = method not in ("get", "delete") or op.get("parameters")
        if takes_input:
            responses.setdefault("400", {"description": "ongeldige invoer: elk ongeldig veld"})
        for status, response in responses.items():
            if status[0] in "23":
                response.setdefault("headers", {})[VERSION_HEADER] = {
                    "description": "de volledige versie van de API (semver)",
                    "schema": {"type": "string", "example": API_VERSION},
                }
            elif status[0] in "45":
                response["content"] = {
                    MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                }
    return item


def _problem_schemas() -> dict[str, Any]:
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}", by_alias=True)
    defs = schema.pop("$defs", {})
    return {"Problem": schema, **defs}


def _date_types(node: Any) -> Any:
    """`anyOf: [X, null]` as `type: [X's type, "null"]` with X's format, so that a nullable
    date still says `format: date` where the Design Rules' linter looks for it."""
    if isinstance(node, list):
        return [_date_types(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _date_types(v) for k, v in node.items()}
    variants = out.get("anyOf")
    if isinstance(variants, list) and len(variants) == 2 and {"type": "null"} in variants:
        other = next(v for v in variants if v != {"type": "null"})
        if set(other) <= {"type", "format"} and isinstance(other.get("type"), str):
            del out["anyOf"]
            out.update({"type": [other["type"], "null"], **_format(other)})
    return out


def _format(schema: dict[str, Any]) -> dict[str, Any]:
    return {"format": schema["format"]} if "format" in schema else {}
