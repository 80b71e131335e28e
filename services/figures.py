"""Regional figures: a region's for its own Veilig Thuis, the sum over all regions for a
national organisation. Counts only, small counts suppressed (`domain.figures`)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from domain.access import may_read_figures
from domain.figures import MAX_QUARTERS, MEASURES, midnight, quarters, table
from services.context import Caller, Parts
from services.errors import forbidden, not_found, unprocessable
from store import figures as figures_store

NATIONAL = "landelijk"


async def figures(
    parts: Parts, caller: Caller, region: str | None, first: date, last: date
) -> dict[str, Any]:
    """Per quarter from `first`'s to `last`'s: every measure's counts by category, for
    `region` or (None) summed over all regions."""
    if region is not None and parts.chain.region(region) is None:
        raise not_found("regio")
    if not may_read_figures(caller.principal, region):
        if region is None:
            raise forbidden("de landelijke cijfers zijn alleen voor een landelijke organisatie")
        raise not_found("regio")
    if last < first:
        raise unprocessable("de einddatum (to) ligt vóór de begindatum (from)")
    periods = quarters(first, last)
    if len(periods) > MAX_QUARTERS:
        raise unprocessable(f"ten hoogste {MAX_QUARTERS} kwartalen tegelijk")
    regions = [region] if region else [r.slug for r in parts.chain.regions]
    start, end = midnight(periods[0][1]), midnight(periods[-1][2])
    async with parts.pool.acquire() as conn:
        counts = await figures_store.counts(conn, regions, start, end)
        labels = await figures_store.deadline_labels(conn, regions)
    caller.audit.detail = f"figures {region or NATIONAL} {first}..{last}"
    threshold = parts.figures_threshold

    cells = table([name for name, _, _ in periods], counts, threshold)
    return {
        "region": region or NATIONAL,
        "from": periods[0][1],
        "to": periods[-1][2],
        "threshold": threshold,
        "quarters": [
            {"quarter": name, "start": begin, "end": after, "figures": cells[name]}
            for name, begin, after in periods
        ],
        "deadline_labels": labels,
    }


def category_name(measure: str, category: str, deadline_labels: dict[str, str]) -> str:
    """The Dutch name of a category of a measure."""
    if measure == "missed_deadlines":
        return deadline_labels.get(category, category)
    return MEASURES[measure][1].get(category, category)


def as_csv(found: dict[str, Any]) -> str:
    """One row per quarter, measure and category; a suppressed count reads "<threshold"."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["regio", "kwartaal", "onderdeel", "categorie", "omschrijving", "aantal"])
    hidden = f"<{found['threshold']}"
    for q in found["quarters"]:
        for measure, categories in q["figures"].items():
            for category, n in categories.items():
                name = category_name(measure, category, found["deadline_labels"])
                writer.writerow(
                    [
                        found["region"],
                        q["quarter"],
                        measure,
                        category,
                        name,
                        hidden if n is None else n,
                    ]
                )
    return out.getvalue()
