"""Every period of the chain in one object that travels with each case (its shape is in
running histories): each procedure's own policy, on one scale and calendar of working
days."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from domain.child_protection_policy import ChildProtectionPolicy
from domain.huisverbod_policy import HuisverbodPolicy
from domain.mda_policy import MdaPolicy
from domain.policy import DeliveryPolicy, P
from domain.safety_policy import SafetyPolicy
from domain.veilig_thuis_policy import VeiligThuisPolicy
from domain.workdays import CalendarName


class Policy(BaseModel):
    """Every duration of the chain, in one object that travels with each case."""

    model_config = ConfigDict(frozen=True)
    huisverbod: HuisverbodPolicy = HuisverbodPolicy()
    veilig_thuis: VeiligThuisPolicy = VeiligThuisPolicy()
    delivery: DeliveryPolicy = DeliveryPolicy()
    protection: ChildProtectionPolicy = ChildProtectionPolicy()
    mda: MdaPolicy = MdaPolicy()
    safety: SafetyPolicy = SafetyPolicy()
    case_events_per_run: int = Field(
        10_000,
        ge=50,
        description="history events after which a case continues as new (or when the server "
        "suggests it): years of monitoring keep a bounded history",
    )

    def own(self, policy: type[P]) -> P:
        """A procedure's own policy (a `ScaledPolicy` of its module), on this chain's scale
        and calendar of working days."""
        vt = self.veilig_thuis
        return policy(
            time_scale=vt.time_scale,
            first_day_scale=vt.first_day_scale,
            working_days=vt.working_days,
        )

    @classmethod
    def build(
        cls,
        *,
        time_scale: float = 1.0,
        first_day_scale: float | None = None,
        decision_window_hours: float = 4.0,
        delivery: DeliveryPolicy | None = None,
        mda_reviews_per_run: int = 4,
        working_days: CalendarName = "atw",
    ) -> Policy:
        common = {
            "time_scale": time_scale,
            "first_day_scale": first_day_scale,
            "working_days": working_days,
        }
        return cls(
            huisverbod=HuisverbodPolicy(
                **common, decision_window=timedelta(hours=decision_window_hours)
            ),
            veilig_thuis=VeiligThuisPolicy(**common),
            delivery=delivery or DeliveryPolicy(),
            protection=ChildProtectionPolicy(**common),
            mda=MdaPolicy(**common, reviews_per_run=mda_reviews_per_run),
            safety=SafetyPolicy(**common),
        )
