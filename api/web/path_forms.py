"""The steps of a procedure's path as forms on the case page, built from the step models the
API takes, with the procedure's own Dutch words; and a filled form read back as that step.
Only the steps the path's state takes are offered (the procedure's own step table), and a
reference (a person, a placement, an action of the plan) is chosen from a list by name."""

from __future__ import annotations

import types
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter

from domain.acute_safety import PLACEMENT_LABELS
from domain.chain import Region
from domain.procedure import ProcedureSpec
from domain.workdays import AMSTERDAM, dutch_date, local_date


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    kind: str  # "choice", "many", "yesno", "date", "datetime", "text", "lines"
    options: dict[str, str]
    required: bool


@dataclass(frozen=True)
class StepForm:
    name: str
    title: str
    inputs: tuple[Input, ...]
    by_hand: bool  # False: the step needs more than a form gives (a plan's actions): the API


def _bare(annotation: Any) -> tuple[Any, bool]:
    """The type without Optional/Annotated, and whether it may be left out."""
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(get_args(annotation))
            annotation = args[0]
        else:
            return annotation, optional


def _input(name: str, field, words: dict[str, str]) -> Input | None:
    kind_of, optional = _bare(field.annotation)
    required = field.is_required() and not optional
    label = words.get(name, name)
    if get_origin(kind_of) is Literal:
        options = {v: words.get(v, v) for v in get_args(kind_of)}
        return Input(name, label, "choice", options, required)
    if kind_of is bool:
        return Input(name, label, "yesno", {"ja": "ja", "nee": "nee"}, required)
    if kind_of is date:
        return Input(name, label, "date", {}, required)
    if isinstance(kind_of, type) and issubclass(kind_of, datetime):
        return Input(name, label, "datetime", {}, required)
    if kind_of is str:
        return Input(name, label, "text", {}, required)
    if get_origin(kind_of) is list and _bare(get_args(kind_of)[0])[0] is str:
        return Input(name, label, "lines", {}, required)
    return None


def _fields(model: type[BaseModel], words: dict[str, str]) -> list[Input | None]:
    fields = {k: f for k, f in model.model_fields.items() if k not in ("step", "at")}
    return [_input(k, f, words) for k, f in fields.items()]


def forms(spec: ProcedureSpec) -> list[StepForm]:
    if spec.step is None:
        return []
    union = get_args(spec.step)[0] if get_origin(spec.step) is Annotated else spec.step
    out = []
    for model in get_args(union) or (union,):
        name = get_args(model.model_fields["step"].annotation)[0]
        inputs = _fields(model, spec.words)
        out.append(
            StepForm(
                name,
                spec.words.get(name, name),
                tuple(i for i in inputs if i is not None),
                by_hand=None not in inputs,
            )
        )
    return out


def _references(name: str, state: dict[str, Any], persons: list[dict[str, Any]]):
    """The choices for a field that refers to something of the case, by name; None: the
    field refers to nothing."""
    if name == "placement_id":
        names = {p["ref"]: p["name"] for p in persons}
        return {
            p["placement_id"]: f"{names.get(p['person_ref'], p['person_ref'])}: "
            f"{PLACEMENT_LABELS[p['kind']]} sinds {dutch_date(local_date(p['placed_at']))}"
            for p in state.get("placements", [])
            if p["ended_at"] is None
        }
    if name == "action_id":
        return {a["action_id"]: a["what"] for a in state.get("actions", []) if not a["done_at"]}
    if name.endswith("_ref"):
        return {p["ref"]: p["name"] for p in persons}
    return None


def offered(spec: ProcedureSpec, state: dict[str, Any], persons: list[dict]) -> list[StepForm]:
    """The forms of the steps the path's state takes now, references as choices; a step
    whose reference has nothing to choose from (no running placement) is not offered."""
    if state["status"] == "closed":
        return []
    out = []
    for f in forms(spec):
        if state["status"] not in spec.step_statuses.get(f.name, (state["status"],)):
            continue
        inputs = []
        for i in f.inputs:
            choices = _references(i.name, state, persons)
            if choices is not None:
                i = replace(i, kind="choice", options=choices)
            inputs.append(i)
        if all(i.options or not i.required for i in inputs if i.kind == "choice"):
            out.append(replace(f, inputs=tuple(inputs)))
    return out


def start_inputs(spec: ProcedureSpec, persons: list[dict], region: Region | None) -> list[Input]:
    """What starting the procedure asks: its subject among the case's persons of its role,
    by name; its partners among the region's."""
    out = []
    for i in _fields(spec.start_in, spec.words):
        if i is None:
            continue
        if i.name.endswith("_ref"):
            role = spec.subject_role
            whom = {p["ref"]: p["name"] for p in persons if role is None or p["role"] == role}
            i = replace(i, kind="choice", options=whom)
        elif i.name == "partners":
            partners = {p.id: p.name for p in region.partners} if region else {}
            i = replace(i, kind="many", options=partners)
        out.append(i)
    return out


def values(inputs: tuple[Input, ...] | list[Input], form: dict[str, str], prefix: str = ""):
    """The filled inputs (named `prefix` + name; a choice of many: one box per option) as
    the fields of the command."""
    body: dict[str, Any] = {}
    for i in inputs:
        name = prefix + i.name
        if i.kind == "many":
            body[i.name] = [k.removeprefix(f"{name}.") for k in form if k.startswith(f"{name}.")]
            continue
        value = (form.get(name) or "").strip()
        if not value:
            continue
        if i.kind == "yesno":
            body[i.name] = {"ja": True, "nee": False}.get(value, value)
        elif i.kind == "datetime":  # the form's datetime-local is Amsterdam wall-clock time
            moment = datetime.fromisoformat(value)
            body[i.name] = moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)
        elif i.kind == "lines":
            body[i.name] = [line.strip() for line in value.splitlines() if line.strip()]
        else:
            body[i.name] = value
    return body


def read(spec: ProcedureSpec, name: str, form: dict[str, str]) -> BaseModel:
    """The filled form as the step; an answer missing or out of range is a ValidationError."""
    wanted = next(f for f in forms(spec) if f.name == name)
    body = {"step": name, **values(wanted.inputs, form)}
    return TypeAdapter(spec.step).validate_python(body)
