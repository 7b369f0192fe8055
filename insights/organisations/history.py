"""An organisation's history in a programme: its commissions across years, their outcome,
the institution's feedback and the teams who worked for it."""

from django.db.models import Count, Min, Prefetch, Q

from commissions.models import Commission, Institution
from teams.models import Student


def history(institution, programme):
    """The institution's commissions to the programme's calls, newest year first."""
    return list(
        Commission.objects.filter(institution=institution, call__programme=programme)
        .select_related(
            "call",
            "sector",
            "commission_type",
            "team__feedback",
            "team__supervisor__user",
        )
        .prefetch_related(Prefetch("team__members", queryset=Student.objects.for_listing()))
        .order_by("-call__academic_year", "-submitted_at")
    )


def earlier_commissions(commission):
    """The same institution's commissions to earlier calls of the same programme."""
    return list(
        Commission.objects.filter(
            institution_id=commission.institution_id,
            call__programme_id=commission.call.programme_id,
            call__academic_year__lt=commission.call.academic_year,
        )
        .select_related("call")
        .order_by("call__academic_year")
    )


def organisations(programme, pks=None):
    """Every institution that submitted to the programme (or those named), with its counts."""
    found = Institution.objects.filter(commissions__call__programme=programme)
    if pks is not None:
        found = found.filter(pk__in=pks)
    return found.annotate(
        submitted=Count("commissions", distinct=True),
        selected=Count(
            "commissions",
            filter=Q(commissions__status=Commission.Status.SELECTED),
            distinct=True,
        ),
        years=Count("commissions__call", distinct=True),
        first_year=Min("commissions__call__academic_year"),
    ).select_related("sector")


def ranked_organisation_ids(programme):
    """The ids of `organisations`, most active first: the order alone, for one page of them.
    Grouped from the commissions' side: a commission is one row, nothing to count twice."""
    return (
        Commission.objects.filter(call__programme=programme)
        .values("institution_id")
        .annotate(submitted=Count("pk"))
        .order_by("-submitted", "institution__name", "institution_id")
        .values_list("institution_id", flat=True)
    )


def organisation_count(programme):
    return Commission.objects.filter(call__programme=programme).aggregate(
        n=Count("institution", distinct=True)
    )["n"]
