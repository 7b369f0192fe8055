"""What the analytics read from the database: plain records for `stats`, in a fixed number of
queries whatever the number of years (one per kind of record)."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Avg, Count, F

from commissions.models import Call, Commission, Review
from insights.analytics.stats import Step, Submission
from insights.models import SurveyAnswer
from teams.models import Feedback, Milestone, Preference


@dataclass
class Data:
    years: list  # the years shown, oldest first
    all_years: list  # every year of the programme, for the filter
    submissions: list = field(default_factory=list)  # every year (first-time needs them all)
    load: list = field(default_factory=list)  # (reviewer id, commissions reviewed), busiest first
    agreement: dict = field(default_factory=dict)  # year -> (commissions with 2+ reviewers, spread)
    reviewers: dict = field(default_factory=dict)
    ranks: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    step_labels: dict = field(default_factory=dict)
    usefulness: list = field(default_factory=list)
    satisfaction: list = field(default_factory=list)


def programme_years(programme):
    """Every academic year of the programme with a call past its draft, oldest first."""
    return sorted(
        set(
            Call.objects.filter(programme=programme)
            .exclude(status=Call.Status.DRAFT)
            .values_list("academic_year", flat=True)
        )
    )


def choose_years(all_years, first, last):
    """The years between `first` and `last` (either may be empty or unknown: no bound)."""
    first = first if first in all_years else None
    last = last if last in all_years else None
    if first and last and first > last:
        first, last = last, first
    return [y for y in all_years if (not first or y >= first) and (not last or y <= last)]


def read(programme, years, all_years):
    data = Data(years=years, all_years=all_years)
    in_years = {"academic_year__in": years}
    data.submissions = [
        Submission(*row)
        for row in Commission.objects.filter(call__programme=programme)
        .exclude(call__status=Call.Status.DRAFT)
        .values_list(
            "call__academic_year",
            "institution_id",
            "sector__name",
            "commission_type__name",
            "intervention_context__name",
            "status",
            "submitted_at",
            "call__deadline",
        )
        .order_by()
    ]
    reviews = Review.objects.filter(
        commission__call__programme=programme,
        **{f"commission__call__{k}": v for k, v in in_years.items()},
    ).order_by()
    data.load = [
        (row["reviewer_id"], row["n"])
        for row in reviews.values("reviewer_id")
        .annotate(n=Count("commission", distinct=True))
        .order_by("-n", "reviewer_id")
    ]
    data.agreement = agreement(reviews, years)
    data.reviewers = {
        u.pk: u.get_full_name() or u.username
        for u in get_user_model()
        .objects.filter(pk__in=[r for r, _n in data.load])
        .only("pk", "first_name", "last_name", "username")
    }
    data.ranks = list(
        Preference.objects.filter(
            student__call__programme=programme,
            commission=F("student__team__commission"),
            **{f"student__call__{k}": v for k, v in in_years.items()},
        )
        .values_list("student__call__academic_year", "rank")
        .order_by()
    )
    steps = (
        Milestone.objects.filter(
            team__call__programme=programme,
            team__published_at__isnull=False,
            **{f"team__call__{k}": v for k, v in in_years.items()},
        )
        .values_list(
            "team__call__academic_year", "key_date__kind", "key_date__label", "due_at", "done_at"
        )
        .order_by("key_date__starts_at")
    )
    for year, kind, label, due, done in steps:
        key = label if kind == "other" else kind  # added steps keep their own name
        data.steps.append(Step(year, key, due, done))
        data.step_labels.setdefault(key, label)
    data.usefulness = list(
        Feedback.objects.filter(
            team__call__programme=programme,
            **{f"team__call__{k}": v for k, v in in_years.items()},
        )
        .values_list("team__call__academic_year", "usefulness")
        .order_by()
    )
    data.satisfaction = list(
        SurveyAnswer.objects.filter(
            call__programme=programme, **{f"call__{k}": v for k, v in in_years.items()}
        )
        .values_list("call__academic_year", "satisfaction")
        .order_by()
    )
    return data


def agreement(reviews, years):
    """`stats.agreement` computed by the database: {year: (commissions with 2+ reviewers, mean
    spread)}. Three nested groupings (reviewer's mean, commission's spread, year's mean) that
    the ORM cannot nest, so the inner one is the ORM's and the outer two are plain SQL."""
    means = (
        reviews.values("commission_id", "reviewer_id", year=F("commission__call__academic_year"))
        .annotate(m=Avg("score"))
        .values_list("year", "commission_id", "m")
    )
    inner, params = means.query.sql_with_params()
    sql = (
        "SELECT year, COUNT(*), AVG(spread) FROM ("
        " SELECT year, MAX(m) - MIN(m) AS spread FROM (" + inner + ") AS means"
        " GROUP BY year, commission_id HAVING COUNT(*) >= 2"
        ") AS spreads GROUP BY year"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {year: (n, round(float(mean), 2)) for year, n, mean in cursor.fetchall()}
    return {year: found.get(year, (0, None)) for year in years}
