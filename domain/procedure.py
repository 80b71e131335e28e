"""What every procedure of a case shares, and the registry that names them.

A procedure (child protection, MDA++, acute safety, a safety plan, ...) runs as a child
workflow of its case. It has its own module in each layer with the same name: here in
`domain/` its commands, state, rules and Dutch labels; in `workflows/` the workflow; in
`services/` the checks that need the case file. `ProcedureSpec` is the domain half of its
registry entry (`domain.catalogue` gathers the specs); `workflows.registry` names its
workflow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from domain.chain import Chain
from domain.chain_policy import Policy
from domain.commands import ByActor
from domain.deadlines import CalculatorRule
from domain.models import Deadline, TimelineEvent
from domain.policy import Rule, RuleViolation

CaseFile = dict[str, Any]  # the case as Postgres holds it: persons with names and birth dates
PATH_CHANGED = "path_changed"  # the signal by which a path tells its case (`PathChange`)


class PathState(BaseModel):
    """What every procedure keeps: its status, timeline and deadlines."""

    path_id: str
    case_id: str
    region: str
    kind: str
    status: str
    started_at: datetime
    ended_at: datetime | None = None
    version: int = 0
    timeline: list[TimelineEvent] = []
    deadlines: list[Deadline] = []


class PathInput(BaseModel):
    """What the case gives every procedure it starts."""

    path_id: str
    case_id: str
    region: str
    municipality: str
    started_at: datetime
    policy: Policy = Policy()

    def base(self) -> dict[str, Any]:
        """The fields every procedure's state starts with."""
        return {
            "path_id": self.path_id,
            "case_id": self.case_id,
            "region": self.region,
            "started_at": self.started_at,
        }


class PathRecord(BaseModel):
    """A procedure as the read model stores it; `state` is its own snapshot."""

    path_id: str
    case_id: str
    kind: str
    status: str
    version: int
    state: dict[str, Any]  # with its deadlines, which also become rows for the dashboards

    @property
    def deadlines(self) -> list[Deadline]:
        return [Deadline.model_validate(d) for d in self.state.get("deadlines", [])]


class PathChange(BaseModel):
    """What a procedure tells its case: its status and the events since the last change."""

    path_id: str
    kind: str
    status: str
    active: bool
    events: list[TimelineEvent]


class StartPathCmd(ByActor):
    """The case starts a procedure. `kind` selects its start model in the registry (a
    discriminated union that a new procedure joins by registering); the fields of that
    model travel along, and who starts it (set by the service, checked by the case)."""

    model_config = ConfigDict(extra="allow")

    kind: str
    path_id: str
    at: datetime


@dataclass(frozen=True)
class NoticeSpec:
    """A notice a procedure sends: who receives it (audiences of `domain.notifications`), its
    Dutch title (the template of every mail and webhook about it) and its CloudEvents type."""

    kind: Literal["event", "alert", "referral", "escalation"]
    subject: str
    audiences: tuple[str, ...]
    label: str
    event_type: str  # after `nl.ketenregie.`, e.g. "verwijzing.mda"


@dataclass(frozen=True)
class Tables:
    """What a part of the chain that is no procedure of a case (the case itself, an advice
    question) brings to the catalogue: its deadline rules, its notices, its rules of the
    deadline calculator."""

    kind: str
    rules: tuple[Rule, ...] = ()
    notices: tuple[NoticeSpec, ...] = ()
    calculator: tuple[CalculatorRule, ...] = ()
    page: Path | None = None


@dataclass(frozen=True)
class ProcedureSpec:
    """The domain half of a procedure's registry entry.

    `start_in` is the API body that starts it (personal data stays out: references only),
    `step` the union of its steps (None: it takes no generic steps), `state` its snapshot.
    `start_input(path, cmd)` builds the workflow's input from the case's start command.
    `one_at_a_time(cmd)` names what may run only once at a time (None: the kind itself).
    `redact(state, org_kind)` is the state as that kind of organisation may see it.
    `rules`, `notices`, `calculator` and `page` are its own: the catalogue
    (`domain.catalogue.build`) gathers them and refuses a clash.
    `check_start(case, body, chain)` and `check_step(case, state, step)` are the rules that
    need the case file (a birth date, the region's partners); they raise `RuleViolation`.
    """

    kind: str
    slug: str  # the URL segment: /v1/cases/{case_id}/{slug}
    label: str  # Dutch, for people
    statuses: dict[str, str]  # status -> Dutch label
    start_in: type[BaseModel]
    state: type[PathState]
    step: Any
    # builds its workflow's input; None: its own update starts it (`start_update`)
    start_input: Callable[[PathInput, StartPathCmd], BaseModel] | None = None
    one_at_a_time: Callable[[Any], str | None] = lambda cmd: None
    check_start: Callable[[CaseFile, Any, Chain], None] = lambda case, body, chain: None
    check_step: Callable[[CaseFile, dict[str, Any], Any], None] = lambda case, state, step: None
    redact: Callable[[Any, str], Any] = lambda state, org_kind: state  # as an org kind sees it
    # Dutch for the names of its steps, their fields and their values, for the step forms
    words: dict[str, str] = field(default_factory=dict)
    # step -> the statuses in which it may be taken (the table its step rule reads), so a
    # page offers only those; empty: every step while the procedure runs
    step_statuses: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()  # its deadlines, each with its article
    notices: tuple[NoticeSpec, ...] = ()  # what it tells partners, and whom
    subject_role: str | None = None  # the role the person `one_at_a_time` names must have
    # its part of the case page (a Jinja template); None: `procedures/<kind>.html` of the API
    page: Path | None = None
    calculator: tuple[CalculatorRule, ...] = ()  # its rules of the deadline calculator
    # How its runs are known, fixed by the histories that run: the case's update that starts
    # one, the prefix of its workflow ids, the signal by which it tells its case, and its
    # read model's table and key. A path of the case (the generic routes, `start_path`)
    # keeps these defaults; the huisverbod, older than the paths, has its own.
    start_update: str = "start_path"
    id_prefix: str = "path"
    signal: str = PATH_CHANGED
    read_model: tuple[str, str] = ("case_paths", "path_id")
    resource: str | None = None  # its collection at the top of the v1 API: /v1/<resource>/<id>

    @property
    def is_path(self) -> bool:
        """Started by the case's `start_path`, served by the generic routes and forms."""
        return self.start_update == "start_path"

    def workflow_id(self, case_id: str, run_id: str) -> str:
        """The id of the workflow of one run of it: references only."""
        return f"{self.id_prefix}-{case_id}-{run_id}"

    def start_cmd(self, cmd: StartPathCmd) -> BaseModel:
        """The case's start command read as this procedure's own start model (commands of
        older runs carry the fields of every procedure: only this one's count)."""
        extra = cmd.model_extra or {}
        return self.start_in.model_validate(
            {k: v for k, v in extra.items() if k in self.start_in.model_fields and k != "at"}
        )


def person(case: CaseFile, ref: str) -> dict[str, Any]:
    """A person of the case file; a reference to anyone else breaks the command."""
    found = next((p for p in case["persons"] if p["ref"] == ref), None)
    if found is None:
        raise RuleViolation(f"{ref!r} is geen persoon in deze casus")
    return found


def birth_date(person: dict[str, Any]) -> date | None:
    return date.fromisoformat(person["birth_date"]) if person.get("birth_date") else None


def check_partners(chain: Chain, region: str, ids: list[str], kinds: tuple[str, ...]) -> None:
    """Every id names a partner organisation of the region (of one of `kinds`, when given)."""
    for partner_id in ids:
        if problem := chain.check_partner(region, partner_id, kinds):
            raise RuleViolation(problem)
