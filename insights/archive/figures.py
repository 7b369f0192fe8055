"""The archive's figures: every call of a programme with its key figures, in a few queries.

Each figure is one grouped query over the whole programme, so the page costs the same
number of queries at two years as at ten.
"""

from django.db.models import Avg, Count, F, Max, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from commissions.models import Call, Commission, KeyDate, Review
from teams.models import Feedback, Student, Team


def calls_with_ends(programme):
    """The programme's calls, newest first, each with `lab_end` read in the same query."""
    return list(
        Call.objects.filter(programme=programme)
        .annotate(
            lab_end=Max(
                Coalesce("key_dates__ends_at", "key_dates__starts_at"),
                filter=Q(key_dates__kind=KeyDate.Kind.END),
            )
        )
        .order_by("-academic_year", "-opens_at")
    )


def _by_call(queryset, value="n"):
    return {row["year_call"]: row[value] for row in queryset}


def archive_rows(programme, now=None):
    """One row per call: the call, finished or not, and its key figures."""
    now = now or timezone.now()
    calls = calls_with_ends(programme)
    ids = [c.pk for c in calls]
    statuses = {}
    for row in (
        Commission.objects.filter(call_id__in=ids)
        .values("call_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        statuses.setdefault(row["call_id"], {})[row["status"]] = row["n"]
    teams = _by_call(
        Team.objects.filter(call_id__in=ids, published_at__isnull=False)
        .values(year_call=F("call_id"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    students = _by_call(
        Student.objects.filter(call_id__in=ids)
        .values(year_call=F("call_id"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    reviewers = _by_call(
        Review.objects.filter(commission__call_id__in=ids)
        .values(year_call=F("commission__call_id"))
        .annotate(n=Count("reviewer", distinct=True))
        .order_by()
    )
    usefulness = _by_call(
        Feedback.objects.filter(team__call_id__in=ids)
        .values(year_call=F("team__call_id"))
        .annotate(n=Avg("usefulness"))
        .order_by()
    )
    rows = []
    for call in calls:
        counts = statuses.get(call.pk, {})
        submitted = sum(n for s, n in counts.items() if s != Commission.Status.WITHDRAWN)
        rows.append(
            {
                "call": call,
                "finished": call.is_finished(now, lab_ends_at=call.lab_end),
                "submitted": submitted,
                "selected": counts.get(Commission.Status.SELECTED, 0),
                "withdrawn": counts.get(Commission.Status.WITHDRAWN, 0),
                "teams": teams.get(call.pk, 0),
                "students": students.get(call.pk, 0),
                "reviewers": reviewers.get(call.pk, 0),
                "usefulness": usefulness.get(call.pk),
            }
        )
    return rows
