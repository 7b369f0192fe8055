"""When a milestone is due, and where it stands: plain dates in, plain answers out.

Everything is counted in the programme's local time (Europe/Brussels): an all-day date is
due at the end of that day there, whatever the daylight-saving change in between.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

UPCOMING, DUE_SOON, DONE, LATE = "upcoming", "due_soon", "done", "late"
OVERDUE = "overdue"  # the reminder step after the due moment


def end_of_day(day, zone):
    """The first instant of the next local day: an all-day date is due until then.

    In UTC: Python subtracts and compares two datetimes of the same zone by their wall clocks.
    """
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def due_moment(starts_at, ends_at, all_day, zone):
    """When a step must be done by: the end of its last day, or its end (else start) time."""
    if all_day:
        last = (ends_at or starts_at).astimezone(zone).date()
        return end_of_day(last, zone)
    return ends_at or starts_at


def shift(starts_at, ends_at, new_start):
    """Move a step to a new start, keeping its length."""
    return new_start, (new_start + (ends_at - starts_at)) if ends_at else None


def due_day(due, zone, all_day=False):
    """The local day something is due (an all-day step: its last day, not the midnight after)."""
    due_local = due.astimezone(zone)
    return (due_local - timedelta(microseconds=1)).date() if all_day else due_local.date()


def days_left(due, now, zone, all_day=False):
    """Whole local calendar days from today to the due day (0: due today, -1: yesterday)."""
    return (due_day(due, zone, all_day) - now.astimezone(zone).date()).days


def status(due, done_at, now, zone, soon_days=7, all_day=False):
    if done_at is not None:
        return DONE
    if now >= due:
        return LATE
    if days_left(due, now, zone, all_day) <= soon_days:
        return DUE_SOON
    return UPCOMING


@dataclass(frozen=True)
class Countdown:
    """What is left before a due moment, in the largest unit that is meaningful."""

    days: int
    hours: int
    minutes: int

    @classmethod
    def until(cls, due, now):
        seconds = max(0, int((due - now).total_seconds()))
        return cls(seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60)


def reminder_step(due, done_at, now, zone, steps, all_day=False, overdue=False):
    """Which reminder is due now for this milestone, or None.

    steps are the days before (e.g. [7, 1]): the smallest one not yet reached is the one to
    send, so a run missed for a few days sends one reminder, not a burst. Past the due
    moment, "overdue" when overdue reminders apply.
    """
    if done_at is not None:
        return None
    if now >= due:
        return OVERDUE if overdue else None
    left = days_left(due, now, zone, all_day)
    reached = [d for d in steps if left <= d]
    return str(min(reached)) if reached else None


def zone_of(name):
    return ZoneInfo(name)
