"""Who gives the commands that tests, the history recorder and the benches send straight to
a workflow: the actor the API would set from the signed-in principal (`domain.access.Actor`)."""

from collections.abc import Callable
from functools import partial
from typing import TypeVar

from pydantic import BaseModel

from domain.access import Actor
from domain.commands import commanded

M = TypeVar("M", bound=BaseModel)

POLICE = Actor(org="politie-den-haag", org_kind="police", role="officer")
MAYOR_OFFICE = Actor(org="gemeente-den-haag", org_kind="mayor_office", role="staff")
JURIST = Actor(org="gemeente-den-haag", org_kind="mayor_office", role="jurist")
VEILIG_THUIS = Actor(org="vt-haaglanden", org_kind="veilig_thuis", role="worker")
# each milestone by the organisation that does it (`domain.huisverbod.MILESTONE_ACTIONS`)
MILESTONE_ACTORS = {
    "contact_address_given": POLICE,
    "help_started": VEILIG_THUIS,
    "written_order_issued": POLICE,
}


def by(actor: Actor, body: type[M]) -> Callable[..., M]:
    """Make `body`'s workflow command as `actor` gives it: `by(VEILIG_THUIS, MeetingHeld)(step=
    "meeting_held", ...)` is what the service sends for a worker's request body."""
    return partial(commanded(body), actor=actor)
