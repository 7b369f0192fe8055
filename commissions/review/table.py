"""The review table's order in SQL, so that a page of it costs the same at 20 and 2,000 rows.

The merit, the spread and the count of reviews handed in are the same numbers as
`reviewing.aggregate` computes in Python (which still computes the ones shown, for the rows
of the page only); here they are expressions the database sorts every filtered row by, and
only one page of ids comes back.
"""

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Lower

from commissions.models import Review, ReviewAssignment
from commissions.review.reviewing import MERIT_SCALE

DEFAULT_SORT = "merit"
# sort -> (computed value it needs, or None and the field; descending)
SORTS = {
    "merit": ("merit", None, True),
    "-merit": ("merit", None, False),
    # Largest disagreement first: the commissions to discuss.
    "-spread": ("spread", None, True),
    "spread": ("spread", None, False),
    "title": (None, Lower("title"), False),
    "institution": (None, Lower("institution__name"), False),
    "sector": (None, "sector__name", False),
    "status": (None, "status", False),
    "reviews": ("reviews", None, False),
    "submitted": (None, "submitted_at", False),
}


def _factor(spec, total_weight):
    """What one point above the lowest score of this criterion adds to a merit on 0–4."""
    span = spec.scale_max - spec.scale_min
    return MERIT_SCALE * spec.weight / (span * total_weight) if span else 0.0


def _float(value):
    return Value(float(value), output_field=FloatField())


def merit_expression(specs):
    """Weighted mean of the criteria's mean scores on 0–4, over the `reviews` relation."""
    total_weight = sum(s.weight for s in specs) or 1.0
    terms = [
        (
            Coalesce(
                Cast(Avg("reviews__score", filter=Q(reviews__criterion_id=s.id)), FloatField()),
                _float(s.scale_min),
            )
            - _float(s.scale_min)
        )
        * _float(_factor(s, total_weight))
        for s in specs
    ]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _reviewer_merits(specs):
    """Each reviewer's own merit of the outer commission, as a subquery of (reviewer, merit)."""
    total_weight = sum(s.weight for s in specs) or 1.0
    points = None
    for s in specs:
        term = Sum(
            (Cast("score", FloatField()) - _float(s.scale_min)) * _float(_factor(s, total_weight)),
            filter=Q(criterion_id=s.id),
            default=0.0,
        )
        points = term if points is None else points + term
    return (
        Review.objects.filter(commission=OuterRef("pk"), criterion_id__in=[s.id for s in specs])
        .order_by()
        .values("reviewer_id")
        .annotate(merit=points)
        .values("merit")
    )


def ordered_ids(commissions, specs, sort, masked_for=None):
    """The ids of the filtered commissions in the sort's order (pk breaks ties).

    masked_for: a reviewer who is not a coordinator; a merit or spread they may not see yet
    (their own scores not handed in) sorts as an unscored one, as it shows.
    """
    needs, field, descending = SORTS.get(sort, SORTS[DEFAULT_SORT])
    rows = commissions.order_by().values("pk")
    shown = Q()
    if needs in ("merit", "spread") and not specs:
        field = "pk"  # no reviewer criterion: nothing is scored
    elif needs == "merit":
        rows = rows.annotate(
            scored=Count("reviews", filter=Q(reviews__criterion_id__in=[s.id for s in specs])),
            merit_raw=merit_expression(specs),
        )
        shown = Q(scored__gt=0)
        field = "merit_raw"
    elif needs == "spread":
        merits = _reviewer_merits(specs)
        rows = rows.annotate(
            top=Subquery(merits.order_by("-merit")[:1], output_field=FloatField()),
            bottom=Subquery(merits.order_by("merit")[:1], output_field=FloatField()),
        )
        shown = Q(top__isnull=False)
        field = ExpressionWrapper(F("top") - F("bottom"), output_field=FloatField())
    elif needs == "reviews":
        done = (
            ReviewAssignment.objects.filter(commission=OuterRef("pk"), submitted_at__isnull=False)
            .order_by()
            .values("commission_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        field = Coalesce(Subquery(done, output_field=IntegerField()), 0)
    if needs in ("merit", "spread") and specs:
        if masked_for is not None:
            rows = rows.annotate(
                own_in=Exists(
                    ReviewAssignment.objects.filter(
                        commission=OuterRef("pk"), reviewer=masked_for, submitted_at__isnull=False
                    )
                )
            )
            shown &= Q(own_in=True)
        field = Case(
            When(shown, then=F(field) if isinstance(field, str) else field),
            default=None,
            output_field=FloatField(),
        )
    if isinstance(field, str):
        field = F(field)
    order = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
    return rows.order_by(order, "pk").values_list("pk", flat=True)
