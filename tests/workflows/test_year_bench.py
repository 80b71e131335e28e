"""The year bench's driver on three weeks of a March: its independent oracle stays wired to
what the workflows report, across the switch to summer time (a ban placed to end in the
skipped hour) and, most years, Easter."""

from __future__ import annotations

from datetime import date

import pytest

from bench.year import drive_year


@pytest.mark.slow  # a test server of its own and 21 days of 30 cases: seconds, not tenths
async def test_three_weeks_agree_with_the_oracle():
    # the test server's clock starts at today and cannot go back: next year's March
    start = date(date.today().year + 1, 3, 15)
    figures = await drive_year(meldingen=30, huisverboden=3, seed=1, start=start, days=21)
    assert figures.meldingen == 30 and figures.huisverboden == 3
    assert figures.deadlines > 30 and figures.ban_fields > 0
    assert figures.refused == []
    assert figures.mismatches == []
