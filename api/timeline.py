"""The case timeline as a picture: phases and deadlines on a time axis (pure, for the page)."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from domain.huisverbod import IN_FORCE
from domain.models import DEADLINE_STATUS_NAMES
from domain.workdays import AMSTERDAM

WIDTH, LEFT, RIGHT = 960, 20, 20
# status -> (shape, css class): distinguishable by shape and text, not colour alone
MARKS = {
    "met": ("circle", "met"),
    "met_late": ("circle", "late"),
    "open": ("ring", "open"),
    "overdue": ("triangle", "missed"),
    "missed": ("triangle", "missed"),
    "closed": ("square", "closed"),
}


class Mark(BaseModel):
    x: float
    label: str
    when: datetime
    status: str
    status_label: str
    shape: str
    css: str


class Span(BaseModel):
    """A huisverbod's days on the axis, from imposition to its (planned or actual) end."""

    x: float
    width: float
    label: str
    running: bool


class Tick(BaseModel):
    x: float
    label: str


class Timeline(BaseModel):
    width: int
    start: datetime
    end: datetime
    now_x: float
    events: list[Mark]
    deadlines: list[Mark]
    ticks: list[Tick]
    bans: list[Span] = []


def build(
    opened_at: datetime,
    now: datetime,
    events: list[dict],
    deadlines: list[dict],
    bans: list[dict] = (),
) -> Timeline:
    """Place the events, deadlines and huisverboden of a case between its opening and its
    last moment."""
    imposed = [b for b in bans if b.get("imposed_at")]
    ends = [b.get("ended_at") or b["ends_at"] for b in imposed]
    moments = [
        opened_at,
        now,
        *(e["at"] for e in events),
        *(d["due_at"] for d in deadlines),
        *(b["imposed_at"] for b in imposed),
        *ends,
    ]
    start, end = min(moments), max(moments)
    span = max((end - start).total_seconds(), 3600.0)
    end = start + timedelta(seconds=span)

    def x(at: datetime) -> float:
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (at - start).total_seconds() / span, 1)

    marks = []
    for d in deadlines:
        state = "met_late" if d["status"] == "overdue" and d.get("met_at") else d["status"]
        shape, css = MARKS[state]
        marks.append(
            Mark(
                x=x(d["due_at"]),
                label=d["label"],
                when=d["due_at"],
                status=state,
                status_label=DEADLINE_STATUS_NAMES[state],
                shape=shape,
                css=css,
            )
        )
    happened = [
        Mark(
            x=x(e["at"]),
            label=e["detail"] or e["kind"],
            when=e["at"],
            status="event",
            status_label="gebeurd",
            shape="tick",
            css="event",
        )
        for e in events
    ]
    ticks = [
        Tick(x=x(at), label=at.astimezone(AMSTERDAM).strftime("%d-%m %H:%M"))
        for at in (start + timedelta(seconds=span * i / 4) for i in range(5))
    ]
    spans = [
        Span(
            x=x(b["imposed_at"]),
            width=max(x(end) - x(b["imposed_at"]), 2.0),
            label=f"huisverbod {b['imposed_at'].astimezone(AMSTERDAM):%d-%m %H:%M} tot "
            f"{end.astimezone(AMSTERDAM):%d-%m %H:%M} ({(end - b['imposed_at']).days} dagen)",
            running=b["status"] in IN_FORCE,
        )
        for b, end in zip(imposed, ends, strict=True)
    ]
    return Timeline(
        width=WIDTH,
        bans=spans,
        start=start,
        end=end,
        now_x=x(now),
        events=happened,
        deadlines=marks,
        ticks=ticks,
    )
