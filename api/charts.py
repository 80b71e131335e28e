"""Bar charts of the regional figures, drawn on the server as SVG (pure, for the page)."""

from __future__ import annotations

from pydantic import BaseModel

from domain.figures import MEASURES

BARS, LABEL, BAR, GAP = 420, 300, 18, 6  # px: the bars' room (with the count), a label's least
CHAR = 7  # px a character of a label takes at most, on average (12px sans-serif)


class Bar(BaseModel):
    y: float
    width: float
    label: str
    value: str  # the count, or "<5" when suppressed
    suppressed: bool


class Chart(BaseModel):
    measure: str
    title: str
    height: float
    label: float  # the labels' column: wide enough for the longest, so none is clipped
    width: float
    rows: list[Bar]


def build(found: dict, names) -> list[Chart]:
    """One chart per measure: a bar per quarter and category, scaled to the largest count.
    A suppressed count (1 up to the threshold) gets an open bar as long as the threshold: the
    most it can be, so a region of small counts still sees where they lie."""
    threshold = found["threshold"]
    hidden = f"<{threshold}"
    charts = []
    for measure, (title, _) in MEASURES.items():
        cells = [
            (q["quarter"], category, n)
            for q in found["quarters"]
            for category, n in q["figures"][measure].items()
        ]
        top = max([threshold, *(n for _, _, n in cells if n)])
        rows = [
            Bar(
                y=i * (BAR + GAP),
                width=round((BARS - 60) * (threshold if n is None else n) / top, 1),
                label=f"{quarter} · {names(measure, category)}",
                value=hidden if n is None else str(n),
                suppressed=n is None,
            )
            for i, (quarter, category, n) in enumerate(cells)
        ]
        label = max([LABEL, *(CHAR * len(r.label) + 16 for r in rows)])
        charts.append(
            Chart(
                measure=measure,
                title=title,
                height=max(len(rows), 1) * (BAR + GAP),
                label=label,
                width=label + BARS,
                rows=rows,
            )
        )
    return charts
