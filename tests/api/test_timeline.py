"""The timeline picture: where things land and how each status is drawn."""

from datetime import UTC, datetime, timedelta

from api.timeline import build

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_deadlines_and_events_are_placed_in_time_order_and_drawn_by_status():
    deadlines = [
        {"label": "triage", "due_at": T0 + timedelta(days=5), "status": "met"},
        {"label": "onderzoek", "due_at": T0 + timedelta(days=10), "status": "overdue"},
        {"label": "monitoring", "due_at": T0 + timedelta(days=20), "status": "open"},
    ]
    events = [{"at": T0, "kind": "melding_received", "detail": "melding"}]
    picture = build(T0, T0 + timedelta(days=12), events, deadlines)
    xs = [d.x for d in picture.deadlines]
    assert picture.events[0].x == 20 and xs == sorted(xs) and xs[-1] == picture.width - 20
    assert [d.shape for d in picture.deadlines] == ["circle", "triangle", "ring"]
    assert [d.status_label for d in picture.deadlines] == ["gehaald", "verstreken", "open"]
    assert xs[1] < picture.now_x < xs[2]


def test_a_brand_new_case_still_has_an_axis():
    picture = build(T0, T0, [], [])
    assert picture.end - picture.start == timedelta(hours=1)
    assert picture.ticks[0].label == "23-11 10:00"  # Amsterdam wall clock


def test_a_deadline_met_late_differs_from_one_never_met():
    deadlines = [
        {"label": "a", "due_at": T0, "status": "overdue", "met_at": T0 + timedelta(hours=2)},
        {"label": "b", "due_at": T0, "status": "overdue", "met_at": None},
    ]
    picture = build(T0, T0 + timedelta(days=1), [], deadlines)
    assert [d.status_label for d in picture.deadlines] == ["te laat gehaald", "verstreken"]


def test_a_huisverbod_shows_its_running_days_to_its_end():
    ban = {
        "imposed_at": T0 + timedelta(days=1),
        "ends_at": T0 + timedelta(days=11),
        "ended_at": None,
        "status": "imposed",
    }
    picture = build(T0, T0 + timedelta(days=2), [], [], [ban])
    (span,) = picture.bans
    assert span.running and "(10 dagen)" in span.label
    assert span.x + span.width == picture.width - 20  # its end is the last moment drawn
