"""The organisations of a programme, and each one's history across years."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from commissions.access import programme_view
from commissions.models import Institution
from insights.organisations.history import history, organisations


@programme_view
def organisation_list(request, programme):
    page = Paginator(organisations(programme), 100).get_page(request.GET.get("page"))
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
