"""Errors of the v1 API as RFC 9457 problem details (NL API Design Rules
/core/error-handling/problem-details), and pydantic's validation messages in Dutch.

Every 4xx and 5xx of `/v1` is `application/problem+json` with `type`, `title`, `status`,
`detail` (Dutch: what is wrong and, for a legal rule, its article) and `instance` (the path
asked for). Invalid input is a 400 (/core/error-handling/invalid-input) that names every
invalid field at once in the extension member `errors`, shaped as the Design Rules' own
example: `in` (body, query, path, header), `location` (`pointer` into the body, or the
parameter's `name`), `code` (pydantic's error type) and `detail` (Dutch).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from domain.policy import RuleViolation
from services.errors import Refused

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:nl:ketenregie:probleem:"

# status -> (slug of the problem type, Dutch title)
PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("ongeldige-invoer", "Ongeldige invoer"),
    401: ("niet-aangemeld", "Niet aangemeld"),
    403: ("geen-toegang", "Geen toegang"),
    404: ("niet-gevonden", "Niet gevonden"),
    405: ("methode-niet-toegestaan", "Methode niet toegestaan"),
    409: ("conflict", "Niet mogelijk in de huidige toestand"),
    413: ("te-groot", "Verzoek te groot"),
    415: ("mediatype-niet-ondersteund", "Mediatype niet ondersteund"),
    422: ("regel-geschonden", "Niet toegestaan volgens de regels"),
    429: ("te-veel-verzoeken", "Te veel verzoeken"),
    500: ("interne-fout", "Interne fout"),
    503: ("niet-beschikbaar", "Dienst tijdelijk niet beschikbaar"),
}


class InvalidParam(BaseModel):
    """One invalid field of a 400."""

    in_: Literal["body", "query", "path", "header", "cookie"] = Field(alias="in")
    location: dict[str, str | int] = Field(
        description="`pointer` (JSON Pointer into the body) or `name` (the parameter)"
    )
    code: str = Field(description="what kind of error, e.g. missing, string_too_long")
    detail: str = Field(description="what is wrong, in Dutch")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(description="URI of the kind of problem")
    title: str = Field(description="the kind of problem, in Dutch")
    status: int
    detail: str = Field(description="what is wrong here, in Dutch")
    instance: str = Field(description="the path that was asked for")
    errors: list[InvalidParam] | None = Field(None, description="400: every invalid field")


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    slug, title = PROBLEMS.get(status, ("fout", "Fout"))
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status, headers=dict(headers or {}), media_type=MEDIA_TYPE)


PLACES = ("body", "query", "path", "header", "cookie")


def invalid_params(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """pydantic's (or FastAPI's) validation errors as the `errors` member of a 400; errors of
    a model validated on its own (a page's form) are the body's."""
    out = []
    for e in errors:
        loc = tuple(e["loc"])
        where, path = (
            (loc[0], list(loc[1:])) if loc[:1] and loc[0] in PLACES else ("body", list(loc))
        )
        if e["type"] == "json_invalid":
            path = []
        location: dict[str, str | int]
        if where == "body":
            location = {"pointer": "/" + "/".join(str(p) for p in path)}
        else:
            location = {"name": ".".join(str(p) for p in path)}
        out.append(
            {"in": where, "location": location, "code": e["type"], "detail": dutch_message(e)}
        )
    return out


def form_refusal(e: Exception) -> tuple[str, int]:
    """What a page's form says when its step did not go through, and the status: the
    service's reason, the rule broken, or every invalid field in Dutch."""
    if isinstance(e, Refused | HTTPException):
        return f"Niet gelukt: {e.detail}", e.status_code
    if isinstance(e, ValidationError):
        return f"Niet gelukt: {summary(invalid_params(e.errors()))}", 422
    if isinstance(e, RuleViolation):
        return f"Niet gelukt: {e}", 422
    return "Niet gelukt: controleer het formulier (een datum of tijd klopt niet).", 422


def form_fields(e: Exception) -> dict[str, str]:
    """A refused form's invalid fields, each by its path in the command's model ("reason",
    "persons.1.name") with its Dutch message: what a page shows beside the field it asked."""
    if not isinstance(e, ValidationError):
        return {}
    return {".".join(str(p) for p in err["loc"]): dutch_message(err) for err in e.errors()}


def summary(errors: list[dict[str, Any]]) -> str:
    """One sentence naming every invalid field (the `detail` of a 400, and a page's reason)."""
    parts = []
    for e in errors:
        where = e["location"].get("pointer", "").lstrip("/").replace("/", ".")
        where = where or e["location"].get("name") or ("verzoek" if e["in"] == "body" else "")
        parts.append(f"{where}: {e['detail']}")
    return "; ".join(parts)


def dutch_message(error: Mapping[str, Any]) -> str:
    """pydantic's message for `error` in Dutch; a validator's own message (already Dutch)
    as it is. Unknown kinds say so in general terms, never in English."""
    kind = error["type"]
    ctx = {k: str(v).replace(" or ", " of ") for k, v in (error.get("ctx") or {}).items()}
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return ctx["error"]
    if kind.endswith("_type") and "input" in error and error["input"] is None:
        return MESSAGES["missing"]  # null, or a form's field left empty: not filled in
    template = MESSAGES.get(kind)
    if template is None:
        return f"ongeldige waarde ({kind})"
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return template.split(" {", 1)[0]


# pydantic-core's error types (https://docs.pydantic.dev/latest/errors/validation_errors/)
MESSAGES: dict[str, str] = {
    "missing": "dit veld is verplicht",
    "missing_argument": "dit veld is verplicht",
    "extra_forbidden": "dit veld is onbekend",
    "json_invalid": "het verzoek is geen geldige JSON",
    "json_type": "het verzoek is geen geldige JSON",
    "model_type": "verwacht een object",
    "model_attributes_type": "verwacht een object",
    "dict_type": "verwacht een object",
    "list_type": "verwacht een lijst",
    "tuple_type": "verwacht een lijst",
    "set_type": "verwacht een lijst zonder dubbele waarden",
    "string_type": "verwacht tekst",
    "string_unicode": "verwacht geldige tekst (Unicode)",
    "string_too_short": "te kort: minstens {min_length} teken(s)",
    "string_too_long": "te lang: hoogstens {max_length} tekens",
    "string_pattern_mismatch": "heeft niet de verwachte vorm",
    "int_type": "verwacht een geheel getal",
    "int_parsing": "verwacht een geheel getal",
    "int_from_float": "verwacht een geheel getal",
    "float_type": "verwacht een getal",
    "float_parsing": "verwacht een getal",
    "bool_type": "verwacht true of false",
    "bool_parsing": "verwacht true of false",
    "greater_than": "moet groter zijn dan {gt}",
    "greater_than_equal": "moet minstens {ge} zijn",
    "less_than": "moet kleiner zijn dan {lt}",
    "less_than_equal": "mag hoogstens {le} zijn",
    "multiple_of": "moet een veelvoud zijn van {multiple_of}",
    "too_short": "te weinig: minstens {min_length}",
    "too_long": "te veel: hoogstens {max_length}",
    "literal_error": "kies uit: {expected}",
    "enum": "kies uit: {expected}",
    "union_tag_invalid": "onbekende soort {tag}; kies uit: {expected_tags}",
    "union_tag_not_found": "het veld {discriminator} ontbreekt",
    "date_type": "verwacht een datum (JJJJ-MM-DD)",
    "date_parsing": "verwacht een datum (JJJJ-MM-DD)",
    "date_from_datetime_parsing": "verwacht een datum (JJJJ-MM-DD)",
    "date_from_datetime_inexact": "verwacht een datum zonder tijd",
    "date_past": "moet in het verleden liggen",
    "date_future": "moet in de toekomst liggen",
    "datetime_type": "verwacht een tijdstip (ISO 8601, met verschil met UTC)",
    "datetime_parsing": "verwacht een tijdstip (ISO 8601, met verschil met UTC)",
    "datetime_from_date_parsing": "verwacht een tijdstip (ISO 8601, met verschil met UTC)",
    "datetime_object_invalid": "dit tijdstip bestaat niet",
    "datetime_past": "moet in het verleden liggen",
    "datetime_future": "moet in de toekomst liggen",
    "timezone_aware": "geef het verschil met UTC op (bijv. +01:00)",
    "timezone_naive": "zonder verschil met UTC",
    "time_parsing": "verwacht een tijd (UU:MM)",
    "time_delta_parsing": "verwacht een duur",
    "uuid_type": "verwacht een UUID",
    "uuid_parsing": "verwacht een UUID",
    "url_type": "verwacht een URL",
    "url_parsing": "verwacht een geldige URL",
    "url_scheme": "deze URL-vorm is niet toegestaan",
    "value_error": "ongeldige waarde",
    "assertion_error": "ongeldige waarde",
    "bytes_type": "verwacht tekst",
    "none_required": "moet leeg (null) zijn",
    "is_instance_of": "ongeldige waarde",
    "frozen_field": "dit veld mag niet worden gewijzigd",
    "recursion_loop": "het object verwijst naar zichzelf",
}
