"""A written order (`domain.huisverbod_order.WrittenOrder`) as a tagged PDF (PDF/UA-1), from
the template `domain/documents/templates/order.html`: letterhead, addressee and kenmerk, the
decision with the signature on the page where it ends, the terms, the rechtsmiddel and to
whom it was sent.

A pure function of the order (the same order gives the same bytes), so the API serves it and
the activity that files it in a municipality's zaaksysteem sends the same file."""

from __future__ import annotations

from domain import documents
from domain.huisverbod_order import WrittenOrder, day, moment
from domain.workdays import dutch_date


def render(order: WrittenOrder) -> bytes:
    return documents.pdf(
        "order.html",
        title=f"{order.title} ({order.kenmerk})",
        author=f"Gemeente {order.municipality}",
        created=order.decided_at,
        order=order,
        birth_date=dutch_date(order.birth_date) if order.birth_date else "niet vastgelegd",
        day=day(order.decided_at),
        decided=moment(order.decided_at),
        dates=[{"label": d.label, "at": moment(d.at), "article": d.article} for d in order.dates],
    )
