"""Preparing next year's call: a preview of the copy, then the copy as drafts."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cms.models import CallPage
from commissions.access import coordinator_reading_view
from insights.nextcall.copying import MAX_YEARS, CopyError, copy_into_next_year, preview


def _years(value):
    try:
        years = int(value)
    except (TypeError, ValueError):
        return None
    return years if 1 <= years <= MAX_YEARS else None


@coordinator_reading_view
@require_http_methods(["GET", "POST"])
def prepare(request, call):
    source = request.POST if request.method == "POST" else request.GET
    raw = source.get("years", "1")
    years = _years(raw)
    error = None
    if years is None:
        error = _("Give a whole number of years from 1 to %(max)d.") % {"max": MAX_YEARS}
        years = 1
    elif request.method == "POST":
        try:
            new, page = copy_into_next_year(call, years, request.user)
        except CopyError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _(
                    "The %(year)s call is ready as a draft: check it, then open it in the "
                    "administration."
                )
                % {"year": new.academic_year},
            )
            return redirect("insights:prepared", slug=new.slug)
    plan = preview(call, years)
    return render(
        request,
        "insights/nextcall/prepare.html",
        {
            "call": call,
            "programme": call.programme,
            "plan": plan,
            "error": error,
            "raw_years": raw[:3],
            "max_years": MAX_YEARS,
            "coordinator": True,
        },
        status=400 if error and request.method == "POST" else 200,
    )


@coordinator_reading_view
def prepared(request, call):
    """A call as copied: its dates, criteria and page, and where to check and open them."""
    return render(
        request,
        "insights/nextcall/prepared.html",
        {
            "call": call,
            "programme": call.programme,
            "key_dates": list(call.key_dates.all()),
            "criteria": list(call.criteria.all()),
            "page": CallPage.objects.filter(call=call).first(),
            "coordinator": True,
        },
    )
