"""The day and hours of a milestone, written once per row by the `when` tag."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

pytestmark = pytest.mark.usefixtures("english")

# Brussels is UTC+1 in winter: 13:00 UTC is 14:00 there.
AT_2PM = datetime(2026, 12, 25, 13, 0, tzinfo=UTC)
AT_6PM = datetime(2026, 12, 25, 17, 0, tzinfo=UTC)
# 23:30 UTC on the 26th is already the 27th in Brussels: the day shown is the local one.
LATE_EVENING = datetime(2026, 12, 26, 23, 30, tzinfo=UTC)


def when(**milestone):
    milestone = SimpleNamespace(**{"ends_at": None, "all_day": False, **milestone})
    return Template("{% load teams_tags %}{% when m %}").render(Context({"m": milestone}))


def test_a_meeting_shows_its_day_and_local_hours():
    assert when(starts_at=AT_2PM) == "Friday 25 December 2026, 14:00"
    assert when(starts_at=AT_2PM, ends_at=AT_6PM) == "Friday 25 December 2026, 14:00–18:00"


def test_an_all_day_date_shows_its_days_without_hours():
    assert when(starts_at=AT_2PM, all_day=True) == "Friday 25 December 2026"
    assert when(starts_at=AT_2PM, ends_at=AT_6PM, all_day=True) == "Friday 25 December 2026"
    assert (
        when(starts_at=AT_2PM, ends_at=LATE_EVENING, all_day=True)
        == "Friday 25 December 2026 – Sunday 27 December 2026"
    )


def test_the_date_follows_the_language():
    with translation.override("fr"):
        assert when(starts_at=AT_2PM, ends_at=AT_6PM) == "vendredi 25 décembre 2026, 14:00–18:00"
