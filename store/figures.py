"""SQL for the regional figures: raw counts per quarter (Amsterdam time), category and
measure, over one or more regions. Suppression is the service's."""

from __future__ import annotations

from datetime import datetime

import asyncpg


def _quarter(moment: str) -> str:
    return (
        f"to_char(date_trunc('quarter', ({moment}) AT TIME ZONE 'Europe/Amsterdam'), 'YYYY-\"K\"Q')"
    )


def _within(moment: str) -> str:
    return f"({moment}) >= $2 AND ({moment}) < $3"


_EVENT_AT = "(e->>'at')::timestamptz"
_EXTENDED_AT = "(x->>'decided_at')::timestamptz"
_DECIDED_AT = "(h.snapshot->'decision'->>'decided_at')::timestamptz"

# (measure, SQL giving quarter, category, n) with $1 the regions and [$2, $3) the period
_COUNTS = [
    (
        "advice_questions",
        f"""SELECT {_quarter("a.received_at")} AS quarter, a.asker->>'kind' AS category,
                   count(*) AS n
            FROM advice_questions a
            WHERE a.region = ANY($1) AND {_within("a.received_at")} GROUP BY 1, 2""",
    ),
    (
        "meldingen",
        f"""SELECT {_quarter("c.opened_at")} AS quarter, f.reporter->>'kind' AS category,
                   count(*) AS n
            FROM cases c JOIN case_files f USING (case_id)
            WHERE c.region = ANY($1) AND {_within("c.opened_at")} GROUP BY 1, 2""",
    ),
    (
        # counted in the quarter of the melding; one not done and past its time is late
        "safety_assessments",
        f"""SELECT {_quarter("c.opened_at")} AS quarter,
                   CASE WHEN d.met_at IS NOT NULL AND d.met_at <= d.due_at THEN 'on_time'
                        WHEN d.met_at IS NOT NULL OR d.due_at < now() THEN 'late'
                        ELSE 'open' END AS category,
                   count(*) AS n
            FROM case_deadlines d JOIN cases c USING (case_id)
            WHERE d.key = 'safety_assessment' AND d.source = 'case'
              AND c.region = ANY($1) AND {_within("c.opened_at")} GROUP BY 1, 2""",
    ),
    (
        # a decision the case records itself, or a referral its path records as it starts
        # (a referral to the beschermtafel or MDA++ starts that path, which tells the case)
        "follow_up",
        f"""SELECT {_quarter(_EVENT_AT)} AS quarter,
                   CASE e->>'kind' WHEN 'protection_referred' THEN 'beschermtafel'
                                   WHEN 'mda_referred' THEN 'mda'
                        ELSE substr(e->>'kind', length('follow_up_') + 1) END AS category,
                   count(*) AS n
            FROM cases c, jsonb_array_elements(c.timeline) e
            WHERE c.region = ANY($1) AND {_within(_EVENT_AT)}
              AND ((e->>'source' = 'case' AND e->>'kind' LIKE 'follow\\_up\\_%')
                   OR e->>'kind' IN ('protection_referred', 'mda_referred'))
            GROUP BY 1, 2""",
    ),
    (
        "huisverboden",
        f"""SELECT {_quarter("h.imposed_at")} AS quarter, 'imposed' AS category, count(*) AS n
            FROM huisverboden h JOIN cases c USING (case_id)
            WHERE c.region = ANY($1) AND {_within("h.imposed_at")} GROUP BY 1
            UNION ALL
            SELECT {_quarter(_EXTENDED_AT)}, 'extended', count(*)
            FROM huisverboden h JOIN cases c USING (case_id),
                 jsonb_array_elements(h.snapshot->'extensions') x
            WHERE c.region = ANY($1) AND {_within(_EXTENDED_AT)} GROUP BY 1
            UNION ALL
            SELECT {_quarter(_DECIDED_AT)}, 'refused', count(*)
            FROM huisverboden h JOIN cases c USING (case_id)
            WHERE c.region = ANY($1) AND h.snapshot->'decision'->>'decision' = 'refuse'
              AND {_within(_DECIDED_AT)} GROUP BY 1""",
    ),
    (
        # passed unmet (met late or never, also when the procedure ended after it passed),
        # in the quarter the deadline fell
        "missed_deadlines",
        f"""SELECT {_quarter("d.due_at")} AS quarter, d.key AS category, count(*) AS n
            FROM (SELECT region, key, due_at, met_at, status FROM case_deadlines
                  UNION ALL
                  SELECT region, key, due_at, met_at, status FROM advice_deadlines) d
            WHERE d.region = ANY($1) AND {_within("d.due_at")}
              AND (d.status IN ('overdue', 'missed') OR d.met_at > d.due_at) GROUP BY 1, 2""",
    ),
]


async def counts(
    conn: asyncpg.Connection, regions: list[str], start: datetime, end: datetime
) -> dict[tuple[str, str, str], int]:
    """(quarter, measure, category) -> how many, in `regions` from `start` until `end`."""
    out: dict[tuple[str, str, str], int] = {}
    for measure, sql in _COUNTS:
        for r in await conn.fetch(sql, regions, start, end):
            out[(r["quarter"], measure, r["category"])] = r["n"]
    return out


async def deadline_labels(conn: asyncpg.Connection, regions: list[str]) -> dict[str, str]:
    """The label of each deadline key, as the workflows named it."""
    rows = await conn.fetch(
        """SELECT key, max(label) AS label
           FROM (SELECT region, key, label FROM case_deadlines
                 UNION ALL SELECT region, key, label FROM advice_deadlines) d
           WHERE region = ANY($1) GROUP BY key""",
        regions,
    )
    return {r["key"]: r["label"] for r in rows}
