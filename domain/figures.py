"""Regional figures in the manner of the Veilig Thuis monitor (CBS): counts per quarter.

Counts only, never a case. A count from 1 up to the threshold (5 by default) is suppressed:
in a small municipality "two huisverboden refused in the third quarter" can point at one
family. Zero stays visible (it points at nobody). No totals are published beside the cells,
so a suppressed cell cannot be recovered by subtraction.
"""

from __future__ import annotations

from datetime import date, datetime, time

from domain.advice import ASKERS
from domain.case import FOLLOW_UP_NAMES, REPORTER_NAMES
from domain.workdays import AMSTERDAM

MAX_QUARTERS = 20  # five years per request

# measure -> (Dutch title, the categories always shown (Dutch names)); the categories of
# missed deadlines are the deadlines that were missed
MEASURES: dict[str, tuple[str, dict[str, str]]] = {
    "advice_questions": ("Adviesvragen per soort adviesvrager", ASKERS),
    "meldingen": ("Meldingen per soort melder", REPORTER_NAMES),
    "safety_assessments": (
        "Veiligheidsbeoordelingen (binnen 5 werkdagen)",
        {"on_time": "op tijd", "late": "te laat", "open": "nog binnen de termijn"},
    ),
    "follow_up": ("Besluiten over het vervolg", FOLLOW_UP_NAMES),
    "huisverboden": (
        "Tijdelijke huisverboden",
        {"imposed": "opgelegd", "extended": "verlengd", "refused": "afgewezen"},
    ),
    "missed_deadlines": ("Verstreken termijnen per regel", {}),
}


def quarter_name(d: date) -> str:
    return f"{d.year}-K{(d.month - 1) // 3 + 1}"


def quarter_start(d: date) -> date:
    return date(d.year, (d.month - 1) // 3 * 3 + 1, 1)


def next_quarter(d: date) -> date:
    start = quarter_start(d)
    return date(start.year + (start.month == 10), (start.month + 2) % 12 + 1, 1)


def quarters(first: date, last: date) -> list[tuple[str, date, date]]:
    """(name, first day, first day after) of every quarter from `first`'s to `last`'s."""
    out = []
    day = quarter_start(first)
    while day <= last:
        after = next_quarter(day)
        out.append((quarter_name(day), day, after))
        day = after
    return out


def midnight(d: date) -> datetime:
    """The start of a day on the Amsterdam wall clock: quarters are counted there."""
    return datetime.combine(d, time(), AMSTERDAM)


def suppress(n: int, threshold: int) -> int | None:
    """None for a count that could point at a family (1 up to `threshold`)."""
    return None if 0 < n < threshold else n


def table(
    names: list[str], counts: dict[tuple[str, str, str], int], threshold: int
) -> dict[str, dict[str, dict[str, int | None]]]:
    """quarter -> measure -> category -> count (suppressed), from raw counts keyed by
    (quarter, measure, category); the fixed categories are always there, 0 when none."""
    out = {}
    for quarter in names:
        figures = {}
        for measure, (_, categories) in MEASURES.items():
            found = {c for (q, m, c) in counts if q == quarter and m == measure}
            figures[measure] = {
                c: suppress(counts.get((quarter, measure, c), 0), threshold)
                for c in [*categories, *sorted(found - set(categories))]
            }
        out[quarter] = figures
    return out
