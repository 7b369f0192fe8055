"""What the analytics read from the database: every figure grouped by the database, so a request
reads a few rows per year and category whatever the number of submissions, teams or answers, in
a fixed number of queries whatever the number of years (one per kind of figure).

Each figure equals the one `stats` computes on the plain records (tests/insights check it on
random data): `stats` says what a figure means, this module how the database counts it.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Avg,
    Count,
    DateTimeField,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from commissions.models import Call, Commission, Review
from insights.analytics.stats import DAYS, SELECTED, WITHDRAWN
from insights.models import SurveyAnswer
from mias.dbfunctions import MillisecondsBetween
from mias.stamps import Stamp
from teams.models import Feedback, Milestone, Preference

DAY_MS = 86_400_000
# A submission's record field (stats.Submission) -> where the database keeps it.
FIELDS = {
    "year": "call__academic_year",
    "sector": "sector__name",
    "type": "commission_type__name",
    "context": "intervention_context__name",
}


@dataclass
class Data:
    years: list  # the years shown, oldest first
    all_years: list  # every year of the programme, for the filter
    per_year: dict = field(default_factory=dict)  # stats.per_year
    arrival: dict = field(default_factory=dict)  # stats.arrival_curve over DAYS
    acceptance: dict = field(default_factory=dict)  # key -> (stats.acceptance_by, years per value)
    heatmap: tuple = ((), {})  # stats.heatmap
    returning: dict = field(default_factory=dict)  # stats.first_time_vs_returning
    load: list = field(default_factory=list)  # (reviewer id, commissions reviewed), busiest first
    agreement: dict = field(default_factory=dict)  # year -> (commissions with 2+ reviewers, spread)
    reviewers: dict = field(default_factory=dict)
    ranks: dict = field(default_factory=dict)  # stats.rank_profile
    lateness: list = field(default_factory=list)  # stats.lateness
    step_labels: dict = field(default_factory=dict)
    usefulness: dict = field(default_factory=dict)  # stats.ratings
    satisfaction: dict = field(default_factory=dict)  # stats.ratings


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


def _share(part, whole):
    return round(100 * part / whole, 1)


# The counted figures are kept in the shared cache under a stamp that every change of what they
# count renews (insights/apps.py watches the models; bulk writes send rows_written). Lateness
# grows with the hour, so it is always read. KEEP bounds the life of an entry.
FIGURES = Stamp("analytics:figures")
KEEP = 3600


def figures(programme, years, all_years, now=None):
    """`read`, with the counted figures from the cache when nothing changed since."""
    name = f"{programme.pk}:{','.join(years)}:{','.join(all_years)}"
    key = "analytics:" + hashlib.sha256(name.encode()).hexdigest()[:32]
    token, data = FIGURES.get(key)
    if data is None:
        data = read_counts(programme, years, all_years)
        FIGURES.set(key, token, data, timeout=KEEP)
    _lateness(data, programme, years, now or timezone.now())
    return data


def read(programme, years, all_years, now=None):
    """Every figure, read now."""
    data = read_counts(programme, years, all_years)
    _lateness(data, programme, years, now or timezone.now())
    return data


def read_counts(programme, years, all_years):
    """Every figure but the lateness: what changes only when the data does."""
    data = Data(years=years, all_years=all_years)
    # Submissions that count (stats.counted): past a draft call, not withdrawn.
    counted = (
        Commission.objects.filter(call__programme=programme)
        .exclude(call__status=Call.Status.DRAFT)
        .exclude(status=WITHDRAWN)
        .order_by()
    )
    shown = counted.filter(call__academic_year__in=years)
    _submissions(data, shown)
    _returning(data, counted, shown)
    reviews = Review.objects.filter(
        commission__call__programme=programme, commission__call__academic_year__in=years
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
    placed = Preference.objects.filter(commission=F("student__team__commission"))
    data.ranks = _ranks(_counted_pairs(placed, "student__call", "rank", programme, years), years)
    data.usefulness = _ratings(
        _counted_pairs(Feedback.objects.all(), "team__call", "usefulness", programme, years),
        years,
    )
    data.satisfaction = _ratings(
        _counted_pairs(SurveyAnswer.objects.all(), "call", "satisfaction", programme, years),
        years,
    )
    return data


def _submissions(data, shown):
    """Submitted and selected per year, sector, type and context, with how early they came."""
    lead = MillisecondsBetween("call__deadline", "submitted_at")
    early = {f"in_{d}": Count("pk", filter=Q(lead__gte=d * DAY_MS)) for d in DAYS}
    rows = list(
        shown.annotate(lead=lead)
        .values(*FIELDS.values())
        .annotate(n=Count("pk"), selected=Count("pk", filter=Q(status=SELECTED)), **early)
    )
    per_year = {year: [0, 0] for year in data.years}
    arrived = {year: [0] * len(DAYS) for year in data.years}
    by = {key: defaultdict(lambda: [0, 0, set()]) for key in ("sector", "type", "context")}
    cells = defaultdict(lambda: [0, 0])
    for row in rows:
        row.update({key: row[name] for key, name in FIELDS.items()})  # the records' names
        year = row["year"]
        per_year[year][0] += row["n"]
        per_year[year][1] += row["selected"]
        for i, d in enumerate(DAYS):
            arrived[year][i] += row[f"in_{d}"]
        for key, counts in by.items():
            counts[row[key]][0] += row["n"]
            counts[row[key]][1] += row["selected"]
            counts[row[key]][2].add(year)
        cells[(year, row["sector"])][0] += row["n"]
        cells[(year, row["sector"])][1] += row["selected"]
    data.per_year = {year: tuple(v) for year, v in per_year.items()}
    data.arrival = {
        year: [_share(k, per_year[year][0]) if per_year[year][0] else 0.0 for k in arrived[year]]
        for year in data.years
    }
    for key, counts in by.items():
        ordered = sorted(counts.items(), key=lambda e: (-e[1][0], e[0]))
        data.acceptance[key] = (
            [(value, n, sel, _share(sel, n)) for value, (n, sel, _y) in ordered],
            {value: len(seen) for value, (_n, _s, seen) in ordered},
        )
    data.heatmap = (sorted({s for _y, s in cells}), {k: tuple(v) for k, v in cells.items()})


def _returning(data, counted, shown):
    """Per year, institutions that submit for the first time and those that came before (an
    earlier year of the programme, shown or not)."""
    first = (
        counted.filter(institution=OuterRef("institution"))
        .values("institution")
        .annotate(first=Min("call__academic_year"))
        .values("first")
    )
    rows = (
        shown.annotate(first=Subquery(first))
        .values("call__academic_year", "first")
        .annotate(n=Count("institution", distinct=True))
        .values_list("call__academic_year", "first", "n")
    )
    out = {year: [0, 0] for year in data.years}
    for year, first_year, n in rows:
        if first_year is not None:
            out[year][first_year < year] += n
    data.returning = {year: tuple(v) for year, v in out.items()}


def _counted_pairs(queryset, call, value, programme, years):
    """(year, value, how many) of the rows whose call (the path `call`) is the programme's in
    these years, grouped by the database."""
    return list(
        queryset.filter(**{f"{call}__programme": programme, f"{call}__academic_year__in": years})
        .order_by()
        .values_list(f"{call}__academic_year", value)
        .annotate(n=Count("pk"))
    )


def _ranks(rows, years, top=5):
    out = {year: [0] * (top + 1) for year in years}
    for year, rank, n in rows:
        out[year][min(rank, top + 1) - 1] += n
    return out


def _lateness(data, programme, years, now):
    """Per step, in the order of the calendar: milestones, late ones and their mean lateness.
    Late: done after its due time, or not done and already due."""
    late_by = MillisecondsBetween(
        Coalesce("done_at", Value(now, output_field=DateTimeField())), "due_at"
    )
    late = Q(late_by__gt=0)
    rows = (
        Milestone.objects.filter(
            team__call__programme=programme,
            team__published_at__isnull=False,
            team__call__academic_year__in=years,
        )
        .order_by()
        .annotate(late_by=late_by)
        .values("key_date__kind", "key_date__label")
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=late),
            late_ms=Sum("late_by", filter=late),
            first=Min("key_date__starts_at"),
        )
        .order_by("first")
    )
    steps = {}
    for row in rows:
        kind, label = row["key_date__kind"], row["key_date__label"]
        key = label if kind == "other" else kind  # added steps keep their own name
        data.step_labels.setdefault(key, label)
        step = steps.setdefault(key, [0, 0, 0.0])
        step[0] += row["n"]
        step[1] += row["late"]
        step[2] += row["late_ms"] or 0.0
    data.lateness = [
        (key, n, late, round(total / DAY_MS / late, 1) if late else 0.0)
        for key, (n, late, total) in steps.items()
    ]


def _ratings(rows, years, scale=5):
    out = {}
    for year in years:
        mine = [(value, n) for y, value, n in rows if y == year]
        answers = sum(n for _v, n in mine)
        total = sum(value * n for value, n in mine)
        counts = [sum(n for value, n in mine if value == v) for v in range(1, scale + 1)]
        out[year] = (answers, round(total / answers, 2) if answers else None, counts)
    return out


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
