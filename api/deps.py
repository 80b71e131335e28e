"""Request dependencies: the process-wide pool, Temporal client and settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

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


IDEMPOTENT = [Depends(_idempotency_key)]
