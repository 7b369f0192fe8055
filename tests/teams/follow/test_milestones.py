"""Due moments and statuses in Brussels time, daylight-saving changes included (no database)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from teams.follow import milestones as ms

BRUSSELS = ZoneInfo("Europe/Brussels")


def local(*args):
    return datetime(*args, tzinfo=BRUSSELS)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_an_all_day_date_is_due_at_the_end_of_that_day_in_brussels():
    # 13 March 2027 (winter time, UTC+1): due at midnight local, 23:00 UTC.
    due = ms.due_moment(local(2027, 3, 13), None, True, BRUSSELS)
    assert due == utc(2027, 3, 13, 23, 0)
    assert ms.status(due, None, utc(2027, 3, 13, 22, 59, 59), BRUSSELS) == ms.DUE_SOON
    assert ms.status(due, None, utc(2027, 3, 13, 23, 0), BRUSSELS) == ms.LATE


def test_the_spring_daylight_saving_change_is_counted_in_local_days():
    # Sunday 28 March 2027 has 23 hours in Brussels: 24 hours after its start is too late.
    start = local(2027, 3, 28)
    due = ms.due_moment(start, None, True, BRUSSELS)
    assert due == local(2027, 3, 29) == utc(2027, 3, 28, 22, 0)
    assert due - start == timedelta(hours=23)
    assert due != start.astimezone(UTC) + timedelta(hours=24)
    # 23:30 local on the 28th (21:30 UTC): still due today, not late.
    assert ms.status(due, None, utc(2027, 3, 28, 21, 30), BRUSSELS) == ms.DUE_SOON
    assert ms.days_left(due, utc(2027, 3, 28, 21, 30), BRUSSELS, all_day=True) == 0
    # 00:30 local on the 29th (22:30 UTC): late, although 24 h have not passed since the start.
    assert ms.status(due, None, utc(2027, 3, 28, 22, 30), BRUSSELS) == ms.LATE


def test_the_autumn_daylight_saving_change_gives_a_25_hour_day():
    start = local(2026, 10, 25)
    due = ms.due_moment(start, None, True, BRUSSELS)
    assert due - start == timedelta(hours=25)
    assert ms.status(due, None, utc(2026, 10, 25, 22, 30), BRUSSELS) == ms.DUE_SOON  # 23:30 local
    assert ms.status(due, None, utc(2026, 10, 25, 23, 0), BRUSSELS) == ms.LATE


def test_a_period_is_due_at_the_end_of_its_last_day():
    due = ms.due_moment(local(2026, 10, 14), local(2027, 3, 12), True, BRUSSELS)
    assert due == local(2027, 3, 13)
    assert ms.due_day(due, BRUSSELS, all_day=True).isoformat() == "2027-03-12"


def test_a_timed_meeting_is_due_at_its_end_or_its_start():
    start = local(2026, 10, 11, 9, 0)
    assert ms.due_moment(start, local(2026, 10, 11, 13, 0), False, BRUSSELS) == local(
        2026, 10, 11, 13, 0
    )
    due = ms.due_moment(start, None, False, BRUSSELS)
    assert ms.status(due, None, start - timedelta(seconds=1), BRUSSELS) == ms.DUE_SOON
    assert ms.status(due, None, start, BRUSSELS) == ms.LATE


@pytest.mark.parametrize(
    "now, expected",
    [
        (local(2027, 3, 1, 12), ms.UPCOMING),  # 12 days ahead
        (local(2027, 3, 6, 0, 0), ms.DUE_SOON),  # 7 days ahead: due soon
        (local(2027, 3, 5, 23, 59), ms.UPCOMING),  # 8 local days ahead
        (local(2027, 3, 14, 0, 0), ms.LATE),
    ],
)
def test_due_soon_is_counted_in_local_calendar_days(now, expected):
    due = ms.due_moment(local(2027, 3, 13), None, True, BRUSSELS)
    assert ms.status(due, None, now, BRUSSELS, soon_days=7, all_day=True) == expected


def test_done_wins_over_late():
    due = local(2027, 3, 14)
    assert ms.status(due, local(2027, 3, 20), local(2027, 4, 1), BRUSSELS) == ms.DONE


def test_a_day_boundary_in_utc_is_not_one_in_brussels():
    due = local(2027, 3, 13, 9, 0)
    # 23:30 UTC on the 12th is already the 13th in Brussels: due today.
    assert ms.days_left(due, utc(2027, 3, 12, 23, 30), BRUSSELS) == 0
    assert ms.days_left(due, utc(2027, 3, 12, 22, 30), BRUSSELS) == 1


@pytest.mark.parametrize(
    "days_ahead, expected",
    [(10, None), (8, None), (7, "7"), (5, "7"), (2, "7"), (1, "1"), (0, "1")],
)
def test_the_reminder_step_is_the_nearest_one_reached(days_ahead, expected):
    now = local(2027, 3, 1, 8)
    due = ms.due_moment(local(2027, 3, 1) + timedelta(days=days_ahead), None, True, BRUSSELS)
    assert ms.reminder_step(due, None, now, BRUSSELS, [7, 1], all_day=True) == expected


def test_overdue_reminders_only_when_asked_and_never_once_done():
    due = local(2027, 3, 14)
    after = local(2027, 3, 15, 8)
    assert ms.reminder_step(due, None, after, BRUSSELS, [7, 1], overdue=True) == ms.OVERDUE
    assert ms.reminder_step(due, None, after, BRUSSELS, [7, 1], overdue=False) is None
    assert ms.reminder_step(due, after, after, BRUSSELS, [7, 1], overdue=True) is None


def test_countdown():
    c = ms.Countdown.until(local(2027, 3, 13, 12, 30), local(2027, 3, 10, 10, 0))
    assert (c.days, c.hours, c.minutes) == (3, 2, 30)
    assert ms.Countdown.until(local(2027, 3, 1), local(2027, 3, 2)).days == 0
