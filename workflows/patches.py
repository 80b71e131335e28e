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
FOLLOW_UP_STARTS_PATH = _patch(
    "follow-up-starts-path",
    "a referral to the beschermtafel or MDA++ starts its path in the same step",
    "casepage (2026-12-04)",
)
AT_START = _patch(
    "patches-at-start",
    "the loop's and the deadline book's patches (wake-kept, remind-late-at-once) are decided once, "
    "when a run starts: a replay resolves a local activity's marker in the task that recorded it, "
    "which can be one task before the original run went on, so a patch first asked after a local "
    "activity was asked before its marker and the replay failed (Nondeterminism: 'patch marker "
    "encountered ... no corresponding change command'). A run from before takes the old branch "
    "and asks them as it did.",
    "this commit (2026-12-04)",
    (
        "acute_safety_placed",
        "acute_safety_placement_once",
        "advice_follow_up_mailed",
        "case_acute_found_by_veilig_thuis",
        "case_closed_with_advice",
        "case_continued_as_new",
        "case_monitoring_running",
        "case_referral_started_its_path",
        "case_referral_to_mda_sent_once",
        "case_repeat_violence",
        "case_with_huisverbod_running",
        "case_with_paths_running",
        "huisverbod_extended_running",
        "huisverbod_heard_awaiting_ruling",
        "huisverbod_refused",
        "huisverbod_withdrawn_open_for_appeal",
        "lean_case_with_huisverbod_running",
        "lean_huisverbod_extended_running",
        "mda_continued_as_new",
        "mda_first_run",
        "protection_machtiging_ended_with_its_ots",
        "protection_measure_running",
        "protection_ots_renewal_requested",
        "protection_spoedmachtiging_replaced",
        "remind_late_safety_plan",
        "safety_plan_running",
        "wake_kept_case_with_huisverbod_running",
        "wake_kept_huisverbod_extended_running",
    ),
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
PLACEMENT_ONCE = _patch(
    "placement-once",
    "a placement the path already holds is answered with the path's state, not recorded twice",
    "958e6c5 (2026-12-04)",
)
INTERIM_RELIEF_ATW = _patch(
    "interim-relief-atw",
    "the interim-relief hearing is due in days under the Atw (Wth art. 6 lid 1 sub a), not in "
    "72 hours",
    "70968fe (2026-12-04)",
    ("huisverbod_withdrawn_open_for_appeal",),
)
INTERIM_RELIEF_RULING = _patch(
    "interim-relief-ruling",
    "the court's ruling is due 24 hours after the hearing (Wth art. 6 lid 1 sub b)",
    "70968fe (2026-12-04)",
    ("huisverbod_withdrawn_open_for_appeal",),
)
RENEWAL_REQUEST = _patch(
    "renewal-request",
    "an OTS's renewal is asked two months before its end (BW 1:265j lid 1), with a reminder",
    "8253fa2 (2026-12-04)",
    ("protection_measure_running",),
)
INTERIM_RELIEF_ATW_ART2 = _patch(
    "interim-relief-atw-art2",
    "the interim-relief hearing's three days hold at least two working days (Atw art. 2): a "
    "request on a Friday is heard by Tuesday's end, not Monday's. Decided when the ban's run "
    "starts (as `patches-at-start`): a ban from before counts its hearing with Atw art. 1 only",
    "atw (2026-12-07)",
    (
        "at_start_huisverbod_extended_running",
        "huisverbod_extended_running",
        "huisverbod_heard_awaiting_ruling",
        "huisverbod_refused",
        "huisverbod_relief_asked_on_a_friday_before",
        "huisverbod_withdrawn_open_for_appeal",
        "lean_huisverbod_extended_running",
        "wake_kept_huisverbod_extended_running",
    ),
)
RENEWAL_REQUEST_WORKING_DAY = _patch(
    "renewal-request-working-day",
    "an OTS's renewal request, counted back two months from its end, that falls on a day off "
    "moves to the end of the last working day before (the Atw does not extend a term counted "
    "back: art. 1 lid 2). Decided when the path's run starts (as `patches-at-start`)",
    "atw (2026-12-07)",
    (
        "at_start_protection_measure_running",
        "protection_machtiging_ended_with_its_ots",
        "protection_measure_running",
        "protection_ots_renewal_requested",
        "protection_renewal_request_on_a_sunday_before",
        "protection_spoedmachtiging_replaced",
    ),
)
ONE_WRITE = _patch(
    "one-write-per-step",
    "the deadline notices of a step go to the outbox in the same local activity (and "
    "transaction) as the state's projection, and a case takes its path's reminders and "
    "escalations into its timeline without a write of their own: they wait for its next write, "
    "at the latest five minutes (`procedure.QUIET_LAG`). Decided when a run starts (as "
    "`patches-at-start`)",
    "storm (2026-12-07)",
    (
        "acute_safety_placed",
        "acute_safety_placement_once",
        "advice_follow_up_mailed",
        "at_start_case_with_huisverbod_running",
        "at_start_case_with_paths_running",
        "at_start_huisverbod_extended_running",
        "at_start_protection_measure_running",
        "at_start_safety_plan_running",
        "case_acute_found_by_veilig_thuis",
        "case_closed_with_advice",
        "case_continued_as_new",
        "case_monitoring_running",
        "case_referral_started_its_path",
        "case_referral_to_mda_sent_once",
        "case_repeat_violence",
        "case_with_huisverbod_running",
        "case_with_paths_running",
        "huisverbod_extended_running",
        "huisverbod_heard_awaiting_ruling",
        "huisverbod_refused",
        "huisverbod_relief_asked_on_a_friday_after",
        "huisverbod_relief_asked_on_a_friday_before",
        "huisverbod_withdrawn_open_for_appeal",
        "lean_case_with_huisverbod_running",
        "lean_huisverbod_extended_running",
        "mda_continued_as_new",
        "mda_first_run",
        "protection_machtiging_ended_with_its_ots",
        "protection_measure_running",
        "protection_ots_renewal_requested",
        "protection_renewal_request_on_a_sunday_after",
        "protection_renewal_request_on_a_sunday_before",
        "protection_spoedmachtiging_replaced",
        "remind_late_safety_plan",
        "safety_plan_running",
        "wake_kept_case_with_huisverbod_running",
        "wake_kept_huisverbod_extended_running",
    ),
)
REMINDERS_WAIT = _patch(
    "reminders-wait-for-the-next-report",
    "a child's reminders that change nothing else its case knows are not signalled to the case "
    "one by one: they go with the child's next report (a status, an escalation, its end, or the "
    "end of its run), and meanwhile the case's timeline shows them from the child's own "
    "projection (`store.cases.child_reminders`). Decided when a child's run starts (as "
    "`patches-at-start`)",
    "storm (2026-12-08)",
    (
        "acute_safety_placed",
        "acute_safety_placement_once",
        "at_start_huisverbod_extended_running",
        "at_start_protection_measure_running",
        "at_start_safety_plan_running",
        "huisverbod_extended_running",
        "huisverbod_heard_awaiting_ruling",
        "huisverbod_refused",
        "huisverbod_relief_asked_on_a_friday_after",
        "huisverbod_relief_asked_on_a_friday_before",
        "huisverbod_withdrawn_open_for_appeal",
        "lean_huisverbod_extended_running",
        "mda_continued_as_new",
        "mda_first_run",
        "one_write_acute_path_reminded",
        "protection_machtiging_ended_with_its_ots",
        "protection_measure_running",
        "protection_ots_renewal_requested",
        "protection_renewal_request_on_a_sunday_after",
        "protection_renewal_request_on_a_sunday_before",
        "protection_spoedmachtiging_replaced",
        "remind_late_safety_plan",
        "safety_plan_running",
        "wake_kept_huisverbod_extended_running",
    ),
)
