"""A command as it travels to a workflow: the API's request body plus who gives it.

The body (what a client sends, and what the OpenAPI document shows) never names an actor;
the service layer makes the command from the body and the signed-in principal
(`command(body, principal.actor())`), and the workflow's validator checks that actor against
the act's permission (`workflows.errors.permitted`). The actor is optional on every command
only so that histories from before commands carried one still load; a validator refuses a
command without it.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, TypeVar, Union, get_args

from pydantic import BaseModel, create_model

from domain.access import Actor

M = TypeVar("M", bound=BaseModel)


class ByActor(BaseModel):
    """The part every workflow command has: who gives it (organisation and role)."""

    actor: Actor | None = None


@cache
def commanded(body: type[M]) -> type[M]:
    """The workflow's command model of a request body: the body's fields and `actor`. A
    subclass, so a workflow's `isinstance(step, MeetingHeld)` holds for the command too."""
    if issubclass(body, ByActor):
        return body
    return create_model(  # type: ignore[call-overload,no-any-return]
        f"{body.__name__}ByActor", __base__=(body, ByActor), __module__=body.__module__
    )


def commanded_union(step: Any) -> Any:
    """A procedure's union of step bodies (`Annotated[A | B, Field(discriminator=...)]`) as
    the union of their commands, with the same discriminator."""
    union, *meta = get_args(step)
    members = tuple(commanded(m) for m in get_args(union))
    return Annotated[Union[members], *meta]  # noqa: UP007 (a union built at run time)


def command(body: M, actor: Actor) -> M:
    """`body` as its workflow's command, given by `actor`."""
    return commanded(type(body))(**{**dict(body), "actor": actor})
