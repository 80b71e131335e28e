"""The deployment's own look (`Settings.theme_*`): its design tokens and its logo, served from
the API's own origin like every other style sheet and image."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse

router = APIRouter()
DEFAULT_STYLESHEET = "/static/vendor/voorbeeld-theme.css"


def theme(settings) -> dict[str, str | None]:
    """What base.html needs to dress a page in the deployment's theme."""
    return {
        "name": settings.theme_name,
        "css_class": settings.theme_class,
        "stylesheet": "/thema/stijl.css" if settings.theme_stylesheet else DEFAULT_STYLESHEET,
        "logo": "/thema/logo" if settings.theme_logo else None,
    }


@router.get("/thema/stijl.css")
async def stylesheet(request: Request) -> FileResponse:
    found = request.app.state.settings.theme_stylesheet
    if found is None:
        raise HTTPException(404, "Niet gevonden")
    return FileResponse(found, media_type="text/css")


@router.get("/thema/logo")
async def logo(request: Request) -> FileResponse:
    found = request.app.state.settings.theme_logo
    if found is None:
        raise HTTPException(404, "Niet gevonden")
    kind = "image/svg+xml" if found.suffix.lower() == ".svg" else "image/png"
    return FileResponse(found, media_type=kind)
