"""Web pages for the people who use the chain (Dutch, server-rendered, htmx for live parts),
one module per area.

The same authorisation and access log as the API: each page goes through the services the
API's routes use, with the caller's principal, so a page can show nothing the API would not.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.web import (
    advice,
    calculator,
    cases,
    inbox,
    inzage,
    police,
    region,
    restore,
    signin,
    theme,
)
from api.web.render import error_page

__all__ = ["error_page", "router"]

router = APIRouter(include_in_schema=False)
for area in (signin, region, cases, inbox, police, calculator, advice, restore, inzage, theme):
    router.include_router(area.router)
