"""The coordinators' view of the library: what the call pages list, hidden or not."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commissions.access import programme_view
from commissions.models import PastConsultancy
from insights.library.library import sync


@programme_view
def library(request, programme):
    made = sync(programme)  # a year that just finished shows at once, not only tomorrow
    if made:
        messages.info(
            request, _("%(n)d commission(s) of finished years added to the library.") % {"n": made}
        )
    entries = list(
        PastConsultancy.objects.filter(programme=programme).select_related(
            "sector", "commission__institution"
        )
    )
    return render(
        request, "insights/library/library.html", {"programme": programme, "entries": entries}
    )


@programme_view
@require_POST
def toggle(request, programme, pk):
    entry = get_object_or_404(PastConsultancy, pk=pk, programme=programme)
    entry.hidden = not entry.hidden
    entry.save(update_fields=["hidden"])
    messages.success(
        request,
        _("Hidden from the call pages.") if entry.hidden else _("Shown on the call pages again."),
    )
    return redirect("insights:library", programme=programme.slug)
