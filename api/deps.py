"""Request dependencies: the process-wide pool, Temporal client and settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from infra.settings import Settings
from services.context import Parts


def _settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(_settings)]


def _parts(request: Request) -> Parts:
    state = request.app.state
    settings = state.settings
    return Parts(
        pool=state.pool,
        client=state.temporal,
        chain=settings.chain,
        policy=settings.policy,
        task_queue=settings.task_queue,
        radar=settings.radar,
        figures_threshold=settings.figures_threshold,
        catalogue=state.catalogue,
    )


PartsDep = Annotated[Parts, Depends(_parts)]


def _idempotency_key(
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=200,
            description="Send the same key when you retry: the command runs once, and a repeat "
            "with the same body gets the first answer (kept 24 hours per principal); the same "
            "key with another body gets 422, a repeat while the first still runs 409.",
        ),
    ] = None,
) -> None:
    """Puts the header in the OpenAPI schema; the app's idempotency middleware acts on it."""


# the commands that create something, and the steps of an advice question (whose answers carry
# no texts): only their answers (ids, statuses, never a case file) are kept for a repeat
IDEMPOTENT = [Depends(_idempotency_key)]


def keeps_answer(route: BaseRoute) -> bool:
    """Whether the idempotency middleware keeps the route's answer: the route declares
    `IDEMPOTENT`, so the list of such routes has one source."""
    return isinstance(route, APIRoute) and any(
        dependency.dependency is _idempotency_key for dependency in route.dependencies
    )
