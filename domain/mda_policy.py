"""The periods of MDA++.

MDA++ (Kader MDA++, Landelijk Netwerk Zorg- en Veiligheidshuizen) and Signs of Safety set
no terms in law: the intake, analysis and review intervals are ketenregie defaults, the
dates of a safety plan's reviews are agreed with the family. A crisis placement of a child
(crisisdienst jeugd) is reviewed after four weeks: a regional agreement, not a statute.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from domain.policy import ScaledPolicy
from domain.workdays import add_local


class MdaPolicy(ScaledPolicy):
    """MDA++: intake, joint analysis, one plan, periodic reviews (no statutory terms)."""

    intake_working_days: int = Field(10, ge=1)
    analysis_weeks: int = Field(4, ge=1)
    review_weeks: int = Field(6, ge=1)
    reviews_per_run: int = Field(
        4, ge=1, description="reviews before the workflow continues as new (bounded history)"
    )

    def due(self, start: datetime, key: str) -> tuple[datetime, datetime | None]:
        if key == "mda_intake":
            real = self._working_days(start, self.intake_working_days)
        elif key == "mda_analysis":
            real = add_local(start, weeks=self.analysis_weeks)
        elif key == "mda_review":
            real = add_local(start, weeks=self.review_weeks)
        else:
            raise KeyError(key)
        return self._after(start, real), self.reminder_at(start, real)
