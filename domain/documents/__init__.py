"""Documents that leave for a person (a written order, an inzage) as tagged PDF (PDF/UA-1).

Jinja renders the document as HTML, the template language of the pages too, and WeasyPrint
lays it out as PDF/UA-1: a structure tree in reading order, headings, lists and tables
tagged, the language (nl-NL) and the title shown by the reader (Besluit digitale
toegankelijkheid overheid). The DejaVu fonts travel with the package (`domain/fonts`) and are
embedded, so every name prints as written on any machine.

A pure function of what it is given: the same document gives the same bytes (no clock, a
fixed identifier), so what the API serves is what the zaaksysteem files."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.workdays import dutch_date, dutch_time

HERE = Path(__file__).parent
FONTS = HERE.parent / "fonts"
TEMPLATES = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def day(value: date | None) -> str:
    return dutch_date(value) if value else "niet bekend"


def moment(value: datetime) -> str:
    return dutch_time(value)


TEMPLATES.filters |= {"day": day, "moment": moment}


def html(template: str, **context: Any) -> str:
    return TEMPLATES.get_template(template).render(fonts=FONTS.as_uri(), **context)


def pdf(template: str, *, title: str, author: str, created: datetime, **context: Any) -> bytes:
    """`template` rendered with `context` as PDF/UA-1; `created` is the document's own moment
    (the decision, the export), never the clock."""
    return _laid_out(
        html(template, title=title, author=author, created=created.isoformat(), **context)
    )


@lru_cache(maxsize=32)
def _laid_out(page: str) -> bytes:
    """The page as PDF: the HTML decides the bytes, so a delivery tried again (or an order
    downloaded twice) is not laid out twice."""
    from weasyprint import HTML  # heavy: loaded by the processes that render

    return HTML(string=page, base_url=str(HERE)).write_pdf(
        pdf_variant="pdf/ua-1",
        pdf_identifier=hashlib.sha256(page.encode()).hexdigest()[:32].encode(),
        uncompressed_pdf=False,
    )


def preload() -> None:
    """Lay out a small page once, so that loading the layout engine and the fonts (seconds on
    a busy machine) is done at a process's start, not within a filing's time limit."""
    _laid_out(html("preload.html"))
