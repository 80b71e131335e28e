"""Every `workflow.patched` name, once: why it exists and when its old branch may go.

A patch keeps a workflow that started before a change on the commands it issued then. Its
old branch may go (README, "Upgrading running cases": `workflow.deprecate_patch`, then the
name a release later) once no workflow started before `since` still runs, and with it the
recorded histories (`tests/histories/`) that take the old branch when they replay:
`old_histories`, which `tests/workflows/test_replay.py` holds to what the replay does. A patch
without them has an old branch that no recorded history covers.
The names are written into running histories: never change one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Patch:
    name: str
    why: str
    since: str  # the commit that added it: workflows started before it take the old branch
    old_histories: tuple[str, ...] = ()


CATALOGUE: dict[str, Patch] = {}


def _patch(name: str, why: str, since: str, old_histories: tuple[str, ...] = ()) -> str:
    CATALOGUE[name] = Patch(name, why, since, old_histories)
    return name


ACUTE_SAFETY_PATH = _patch(
    "acute-safety-path",
    "an acute melding starts the acute safety path instead of only alerting the police",
    "19c460c (2026-11-23)",
    ("case_with_huisverbod_running",),
)
LEAN = _patch(
    "lean-notices",
    "notices go to the outbox and the region's dispatcher, projections are local activities",
    "24673be (2026-12-01)",
    (
        "acute_safety_placed",
        "case_acute_found_by_veilig_thuis",
        "case_closed_with_advice",
        "case_continued_as_new",
        "case_monitoring_running",
        "case_repeat_violence",
        "case_with_huisverbod_running",
        "case_with_paths_running",
        "huisverbod_extended_running",
        "huisverbod_refused",
        "huisverbod_withdrawn_open_for_appeal",
        "mda_first_run",
        "protection_machtiging_ended_with_its_ots",
        "protection_measure_running",
        "safety_plan_running",
    ),
)
WAKE_KEPT = _patch(
    "wake-kept",
    "a handler's wake is cleared before the loop reads the state, so a due moment is not lost",
    "deaa109 (2026-12-01)",
    (
        "acute_safety_placed",
        "case_acute_found_by_veilig_thuis",
        "case_closed_with_advice",
        "case_continued_as_new",
        "case_monitoring_running",
        "case_with_huisverbod_running",
        "case_with_paths_running",
        "huisverbod_extended_running",
        "huisverbod_withdrawn_open_for_appeal",
        "lean_case_with_huisverbod_running",
        "lean_huisverbod_extended_running",
        "mda_continued_as_new",
        "mda_first_run",
        "protection_machtiging_ended_with_its_ots",
        "protection_measure_running",
        "safety_plan_running",
    ),
)
REMIND_LATE = _patch(
    "remind-late-at-once",
    "a deadline set after its reminder moment is reminded at once while it is still ahead",
    "da145eb (2026-12-04)",
    ("protection_machtiging_ended_with_its_ots",),
)
ADVICE_MAILED = _patch(
    "advice-reminders-mailed",
    "an advice follow-up's reminder and escalation are also sent by e-mail",
    "54cadf8 (2026-12-01)",
)
RADAR_REPEAT_VIOLENCE = _patch(
    "radar-repeat-violence",
    "a melding the radar finds repeated proposes MDA++ to the coordinator",
    "b952448 (2026-11-30)",
)
WMO_POLICE_ALERT = _patch(
    "wmo-police-alert",
    "an acute safety assessment alerts the police (Wmo 2015 art. 4.1.1 lid 2 sub e)",
    "44aa0bf (2026-11-30)",
)
WMO_REPORTER_INFORMED = _patch(
    "wmo-reporter-informed",
    "the reporting organisation hears what was done (Wmo 2015 art. 4.1.1 lid 2 sub g)",
    "44aa0bf (2026-11-30)",
)
WMO_COLLEGE_INFORMED = _patch(
    "wmo-college-informed",
    "the college hears of a verzoek tot onderzoek (Wmo 2015 art. 4.1.1 lid 2 sub f)",
    "44aa0bf (2026-11-30)",
    ("protection_measure_running",),
)
MACHTIGING_ENDS_WITH_OTS = _patch(
    "machtiging-ends-with-ots",
    "a machtiging ends with the last OTS it runs under (BW 1:265c lid 1)",
    "44aa0bf (2026-11-30)",
)
MACHTIGING_LAPSES = _patch(
    "machtiging-lapses",
    "a machtiging unused for three months lapses (BW 1:265c lid 3)",
    "44aa0bf (2026-11-30)",
)
WTH_CALENDAR_DAYS = _patch(
    "wth-calendar-days",
    "a ban's ten days and four weeks are calendar days on the Amsterdam wall clock",
    "ecede3b (2026-11-30)",
    ("huisverbod_extended_running",),
)
MANDATE_INFORMS_MAYOR = _patch(
    "mandate-informs-mayor",
    "a ban imposed by a hulpofficier under mandate is told to the mayor at once",
    "ecede3b (2026-11-30)",
)
APPEAL_AFTER_END = _patch(
    "appeal-after-end",
    "an ended ban stays open for appeal for the Awb's term after its last decision",
    "ecede3b (2026-11-30)",
)
