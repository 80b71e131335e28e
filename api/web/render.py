"""What every page shares: the Jinja environment with its filters and Dutch labels, the one
helper that renders a page, the one that runs a form's command, and the error page.

A procedure's part of the case page is the file its spec names (`ProcedureSpec.page`), else
the API's own `procedures/<kind>.html`, so a procedure brings its fragment with it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, FunctionLoader, pass_context
from markupsafe import Markup
from pydantic import ValidationError

from api.problems import form_fields, form_refusal
from api.security import CSRF_FIELD, csrf_token
from api.web.theme import theme
from domain.access import ROLE_NAMES
from domain.acute_safety import PLACEMENT_LABELS
from domain.advice import STATUSES as ADVICE_STATUSES
from domain.case import FOLLOW_UP_NAMES, PERSON_ROLE_NAMES, PHASE_NAMES
from domain.catalogue import Catalogue
from domain.chain import CHANNEL_NAMES
from domain.child_protection_policy import MEASURE_NAMES
from domain.huisverbod import IN_FORCE, RISK_ANSWER_LABELS, STATUS_NAMES
from domain.models import DEADLINE_STATUS_NAMES, DELIVERY_STATUS_NAMES
from domain.notifications import audience_name
from domain.policy import RuleViolation, age_on
from domain.rihg import RATING_NAMES
from domain.workdays import AMSTERDAM, dutch_end
from domain.zgw import FILING_STATUS_NAMES
from services.context import AuditEntry
from services.errors import Refused

TEMPLATE_DIR = Path(__file__).parent.parent / "templates"
PAGE_SIZE = 25
PHASES = {phase: name[0].upper() + name[1:] for phase, name in PHASE_NAMES.items()}
# what a form's command may be refused with; each becomes a Dutch message beside the form
REFUSALS = (HTTPException, Refused, RuleViolation, ValidationError, ValueError)


def procedure_page(name: str) -> tuple[str, str, Callable[[], bool]] | None:
    """A procedure's own fragment, by the path its spec names (an absolute path: a template
    name the code gives, never a request); None: a template of the API."""
    path = Path(name)
    if not (path.is_absolute() and path.suffix == ".html"):
        return None
    mtime = path.stat().st_mtime
    return path.read_text(encoding="utf-8"), str(path), lambda: path.stat().st_mtime == mtime


def path_pages(catalogue: Catalogue) -> dict[str, str]:
    """Each procedure's part of the case page: its own file, else `procedures/<kind>.html`."""
    return {
        p.kind: str(p.page) if p.page else f"procedures/{p.kind}.html"
        for p in catalogue.procedures.values()
    }


def local(at: datetime | None, ends: bool = False) -> str:
    """A moment on the Amsterdam clock; `ends`: the end of a term, "t/m" its last day."""
    if at is None:
        return ""
    return dutch_end(at) if ends else at.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


def left(at: datetime | None) -> str:
    """Time left until `at`, in words; negative when passed."""
    if at is None:
        return ""
    minutes = int((at - datetime.now(UTC)).total_seconds() // 60)
    sign, minutes = ("nog ", minutes) if minutes >= 0 else ("", -minutes)
    text = (
        f"{minutes // 1440} d {minutes % 1440 // 60} u"
        if minutes >= 1440
        else (f"{minutes // 60} u {minutes % 60} min")
    )
    return f"{sign}{text}" if sign else f"{text} te laat"


def named(text: str, persons) -> str:
    """A text of the workflows (which know persons by reference only) with each person of
    the case by name: "p1: plaatsing beëindigd" reads "Sara Jansen: plaatsing beëindigd"."""
    names = {p.ref: p.name for p in persons}
    if not names or not text:
        return text
    refs = "|".join(re.escape(r) for r in sorted(names, key=len, reverse=True))
    return re.sub(rf"(?<![\w-])'?({refs})'?(?![\w-])", lambda m: names[m.group(1)], text)


def localinput(at: datetime | None) -> str:
    """The value of a datetime-local input, Amsterdam wall clock."""
    return at.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M") if at else ""


def from_localinput(text: str) -> datetime | None:
    """A datetime-local input read back: Amsterdam wall-clock time; empty is none (now)."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=AMSTERDAM) if moment.tzinfo is None else moment


def yesno(value: bool | None) -> str:
    return "onbekend" if value is None else ("ja" if value else "nee")


def age(born: date | None, on: date) -> str:
    return f"{age_on(born, on)} jaar" if born else "leeftijd onbekend"


def case_number(case) -> str:
    """The number people use; older cases (before numbering) by the start of their id."""
    row = case if isinstance(case, dict) else case.__dict__
    return row.get("number") or row["case_id"][:8]


def decision_due(h) -> datetime | None:
    return next((d.due_at for d in h.deadlines if d.key == "mayor_decision"), None)


@pass_context
def csrf_field(context) -> Markup:
    """The hidden field every page form that changes something carries (`api.security`)."""
    token = context.get("csrf_token")
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">' if token else "")


ENV = Environment(
    loader=ChoiceLoader([FunctionLoader(procedure_page), FileSystemLoader(TEMPLATE_DIR)]),
    autoescape=True,
)
TEMPLATES = Jinja2Templates(env=ENV)
ENV.filters.update(
    local=local, left=left, localinput=localinput, age=age, case_number=case_number, named=named
)
ENV.globals.update(
    phases=PHASES,
    advice_statuses=ADVICE_STATUSES,
    statuses=STATUS_NAMES,
    placement_names=PLACEMENT_LABELS,
    role_names=ROLE_NAMES,
    person_roles=PERSON_ROLE_NAMES,
    deadline_states=DEADLINE_STATUS_NAMES,
    delivery_states=DELIVERY_STATUS_NAMES,
    channel_names=CHANNEL_NAMES,
    measure_names=MEASURE_NAMES,
    filing_states=FILING_STATUS_NAMES,
    risk_answers=RISK_ANSWER_LABELS,
    rihg_ratings=RATING_NAMES,
    follow_up_names=FOLLOW_UP_NAMES,
    yesno=yesno,
    csrf_field=csrf_field,
    decision_due=decision_due,
    audience_name=audience_name,
    in_force=IN_FORCE,
)


def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    """Template `name` with what every page shows: who is signed in, for which organisation."""
    principal = getattr(request.state, "principal", None)
    settings = request.app.state.settings
    chain = settings.chain
    session_id = getattr(request.state, "session_id", None)
    found = chain.organisation(principal.org) if principal else None
    catalogue = request.app.state.catalogue
    return TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "principal": principal,
            "org_name": found.name if found else "",
            "municipality": chain.municipality_name,
            "partner_name": lambda org: (
                (chain.partner(org) or (None, None))[1].name if chain.partner(org) else org
            ),
            "demo": demo_banner(settings),
            "theme": theme(settings),
            "current": request.url.path,
            "csrf_token": session_id and csrf_token(settings.session_key, session_id),
            # from the app's catalogue: every procedure brings its words and its fragment
            "path_names": {kind: p.label for kind, p in catalogue.procedures.items()},
            "path_statuses": {k: v for p in catalogue.paths for k, v in p.statuses.items()},
            "path_pages": path_pages(catalogue),
            **context,
        },
        status_code=status,
    )


def demo_banner(settings) -> str:
    """What a person must know when periods do not run at their real length."""
    if settings.time_scale == 1 and settings.first_day_scale is None:
        return ""
    rest = f"{1 / settings.time_scale:,.0f}".replace(",", ".")
    if settings.first_day_scale is None:
        return f"Demo: alle termijnen lopen {rest} keer zo snel als in werkelijkheid."
    first = f"{1 / settings.first_day_scale:,.0f}".replace(",", ".")
    return (
        f"Demo: de eerste dag van elke termijn loopt {first} keer zo snel, elke volgende dag "
        f"{rest} keer zo snel als in werkelijkheid."
    )


def new_view(audit: AuditEntry) -> str:
    """A page opened: its live refreshes send this id and are not logged as new reads."""
    audit.view_id = uuid.uuid4().hex
    return audit.view_id


Again = Callable[..., Awaitable[Response]]


async def submit(
    request: Request,
    send: Callable[[dict[str, Any]], Awaitable[str | Response]],
    again: Again,
    *,
    step: str = "",
    changed: str = "",
) -> Response:
    """Run a form's command through its service: `send` answers what to tell the person (or
    where to go next). A refusal is a Dutch message beside the form. With htmx and a page
    whose live part listens for `changed`, only the outcome comes back; otherwise the whole
    page again, `again(status, outcome=..., asked=...)`, with what was typed kept and the
    invalid fields (`outcome["fields"]`, see `form_fields`) to show beside each."""
    form = dict(await request.form())
    form.pop(CSRF_FIELD, None)  # checked before (api.middleware); no field of the command
    fields: dict[str, str] = {}
    try:
        result = await send(form)
    except REFUSALS as e:
        message, status = form_refusal(e)
        fields = form_fields(e)
    else:
        if isinstance(result, Response):
            return result
        message, status = result, 200
    ok = status == 200
    if changed and request.headers.get("HX-Request"):
        response = page(request, "outcome.html", ok=ok, message=message)
        if ok:
            response.headers["HX-Trigger"] = changed
        return response
    outcome = {"step": step, "ok": ok, "message": message, "fields": fields}
    return await again(status, outcome=outcome, asked=None if ok else form)


def error_page(request: Request, status: int, detail: str) -> Response:
    """A page with a clear message instead of a stack trace; 401 goes to sign-in."""
    if status == 401:
        return RedirectResponse("/login", 303)
    titles = {
        400: "Onjuiste invoer",
        403: "Geen toegang",
        404: "Niet gevonden",
        405: "Niet toegestaan",
        409: "Kan nu niet",
        422: "Onjuiste invoer",
        503: "Even niet beschikbaar",
    }
    return page(
        request, "error.html", status, title=titles.get(status, "Er ging iets mis"), detail=detail
    )
