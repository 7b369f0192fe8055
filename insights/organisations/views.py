"""The organisations of a programme, and each one's history across years."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from commissions.access import programme_view
from commissions.models import Institution
from commissions.paging import page_of
from insights.organisations.history import (
    history,
    organisation_count,
    organisations,
    ranked_organisation_ids,
)


@programme_view
def organisation_list(request, programme):
    page = page_of(
        request,
        ranked_organisation_ids(programme),
        count=organisation_count(programme),
    )
    found = organisations(programme, pks=list(page.object_list)).in_bulk()
    page.object_list = [found[pk] for pk in page.object_list]
    return render(
        request,
        "insights/organisations/list.html",
        {"programme": programme, "page": page},
    )


@programme_view
def organisation(request, programme, pk):
    institution = get_object_or_404(Institution.objects.select_related("sector"), pk=pk)
    commissions = history(institution, programme)
    if not commissions:
        raise Http404  # an organisation outside the programme does not exist here
    return render(
        request,
        "insights/organisations/organisation.html",
        {"programme": programme, "institution": institution, "commissions": commissions},
    )
