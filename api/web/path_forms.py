"""The steps of a procedure's path as forms on the case page, built from the step models the
API takes, with the procedure's own Dutch words; and a filled form read back as that step."""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter

from domain.procedure import ProcedureSpec
from domain.workdays import AMSTERDAM


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    kind: str  # "choice", "yesno", "date", "datetime", "text", "lines"
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


def forms(spec: ProcedureSpec) -> list[StepForm]:
    if spec.step is None:
        return []
    union = get_args(spec.step)[0] if get_origin(spec.step) is Annotated else spec.step
    out = []
    for model in get_args(union) or (union,):
        name = get_args(model.model_fields["step"].annotation)[0]
        fields = {k: f for k, f in model.model_fields.items() if k not in ("step", "at")}
        inputs = [_input(k, f, spec.words) for k, f in fields.items()]
        out.append(
            StepForm(
                name,
                spec.words.get(name, name),
                tuple(i for i in inputs if i is not None),
                by_hand=None not in inputs,
            )
        )
    return out


def read(spec: ProcedureSpec, name: str, form: dict[str, str]) -> BaseModel:
    """The filled form as the step; an answer missing or out of range is a ValidationError."""
    wanted = next(f for f in forms(spec) if f.name == name)
    body: dict[str, Any] = {"step": name}
    for i in wanted.inputs:
        value = (form.get(i.name) or "").strip()
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
    return TypeAdapter(spec.step).validate_python(body)
