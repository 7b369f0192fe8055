"""Next year's call, planned before anything is written: each date moved by whole weeks.

Pure: takes plain values (dates, labels) and returns plain values, so the preview the
coordinator reads is exactly what `copy_call` will write.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from commissions.models.calls import weeks_for_years


@dataclass(frozen=True)
class MovedDate:
    label: str
    before: datetime
    after: datetime

    @property
    def same_weekday(self):
        return self.before.weekday() == self.after.weekday()


def shift_for(years):
    """The whole number of weeks closest to `years` years."""
    return timedelta(weeks=weeks_for_years(years))


def move_dates(dates, years):
    """[(label, datetime or None)] -> [MovedDate] for the dates given, in order."""
    shift = shift_for(years)
    return [MovedDate(label, when, when + shift) for label, when in dates if when is not None]
