"""Copying a call into next year: the call (commissions.copy_call) and its Wagtail page."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.models import CallPage
from commissions.models import Call, copy_call, copy_slug, shifted_year
from insights.nextcall.planning import move_dates

MAX_YEARS = 5


class CopyError(Exception):
    pass


def preview(call, years):
    """What the copy will hold: the moved dates, criteria, places, sizes, the page."""
    local = timezone.localtime
    dates = [
        (_("Opening of the call"), local(call.opens_at)),
        (_("Submission deadline"), local(call.deadline)),
        (
            _("Deadline for the students' rankings"),
            local(call.preferences_deadline) if call.preferences_deadline else None,
        ),
    ] + [(kd.label, local(kd.starts_at)) for kd in call.key_dates.all()]
    page = CallPage.objects.filter(call=call).first()
    year = shifted_year(call.academic_year, years)
    return {
        "years": years,
        "academic_year": year,
        "title": call.title.replace(call.academic_year, year),
        "dates": move_dates(dates, years),
        "criteria": list(call.criteria.all()),
        "page": page,
        "existing": Call.objects.filter(programme=call.programme, academic_year=year).first()
        or Call.objects.filter(slug=copy_slug(call, years)).first(),
    }


def _page_slug(page, call, year):
    base = (
        page.slug.replace(call.academic_year, year)
        if call.academic_year in page.slug
        else f"{page.slug}-{year}"
    )[:240]
    siblings = set(page.get_parent().get_children().values_list("slug", flat=True))
    slug, n = base, 2
    while slug in siblings:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def copy_into_next_year(call, years, user):
    """The draft call `years` later and, when the call has a page, a draft copy of it."""
    if not 1 <= years <= MAX_YEARS:
        raise CopyError(_("Copy one to %(max)d years ahead.") % {"max": MAX_YEARS})
    year = shifted_year(call.academic_year, years)
    if (
        Call.objects.filter(programme=call.programme, academic_year=year).exists()
        or Call.objects.filter(slug=copy_slug(call, years)).exists()
    ):
        raise CopyError(_("There already is a call for %(year)s.") % {"year": year})
    new = copy_call(call, years, status=Call.Status.DRAFT)
    page = CallPage.objects.filter(call=call).first()
    new_page = None
    if page is not None:
        new_page = page.copy(
            recursive=False,
            keep_live=False,
            user=user,
            update_attrs={
                "call": new,
                "title": page.title.replace(call.academic_year, year),
                "slug": _page_slug(page, call, year),
            },
            log_action="wagtail.copy",
        )
    return new, new_page
