"""The review table's order in SQL, so that a page of it costs the same at 20 and 2,000 rows.

The merit and spread are read from each commission's row (`standing` keeps them equal to
`reviewing.aggregate`'s); the count of reviews handed in is counted here. The database sorts
every filtered row and only one page of ids comes back.
"""

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, Lower

from commissions.models import ReviewAssignment

DEFAULT_SORT = "merit"
# sort -> (the column or expression, or REVIEWS; descending)
REVIEWS = "reviews"  # the count of reviews handed in: a subquery, not a column
SORTS = {
    "merit": ("merit", True),
    "-merit": ("merit", False),
    # Largest disagreement first: the commissions to discuss.
    "-spread": ("spread", True),
    "spread": ("spread", False),
    "title": (Lower("title"), False),
    "institution": (Lower("institution__name"), False),
    "sector": ("sector__name", False),
    "status": ("status", False),
    "reviews": (REVIEWS, False),
    "submitted": ("submitted_at", False),
}
SCORED = {"merit", "spread"}  # what a reviewer sees only once their own scores are in


def ordered_ids(commissions, sort, masked_for=None):
    """The ids of the filtered commissions in the sort's order (pk breaks ties).

    masked_for: a reviewer who is not a coordinator; a merit or spread they may not see yet
    (their own scores not handed in) sorts as an unscored one, as it shows.
    """
    column, descending = SORTS.get(sort, SORTS[DEFAULT_SORT])
    rows = commissions.order_by().values("pk")
    if column == REVIEWS:
        done = (
            ReviewAssignment.objects.filter(commission=OuterRef("pk"), submitted_at__isnull=False)
            .order_by()
            .values("commission_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        field = Coalesce(Subquery(done, output_field=IntegerField()), 0)
    else:
        field = F(column) if isinstance(column, str) else column
    if column in SCORED and masked_for is not None:
        rows = rows.annotate(
            own_in=Exists(
                ReviewAssignment.objects.filter(
                    commission=OuterRef("pk"), reviewer=masked_for, submitted_at__isnull=False
                )
            )
        )
        field = Case(When(own_in=True, then=field), default=None, output_field=FloatField())
    order = field.desc(nulls_last=True) if descending else field.asc(nulls_last=True)
    return rows.order_by(order, "pk").values_list("pk", flat=True)
