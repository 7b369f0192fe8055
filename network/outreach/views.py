"""The coordinators' outreach list: under-represented sectors and whom to invite."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from commissions.access import coordinator_view
from commissions.models import Institution
from mias.ids import parse_id
from network.outreach import inviting


@coordinator_view
@require_GET
def outreach(request, call):
    gaps, kinds = inviting.outreach(call)
    return render(
        request,
        "network/outreach/outreach.html",
        {"call": call, "gaps": gaps, "kinds": kinds, "years": inviting.YEARS},
    )


@coordinator_view
@require_POST
def invite(request, call):
    pk = parse_id(request.POST.get("institution"))
    if pk is None:
        messages.error(request, _("Choose an organisation to invite."))
        return redirect("network:outreach", call.slug)
    institution = get_object_or_404(Institution, pk=pk)
    invitation, created = inviting.invite(call, institution, request.user)
    if invitation is None:
        messages.error(request, _("%(name)s has no e-mail address in the registry.") % {
            "name": institution.name})  # fmt: skip
    elif created:
        messages.success(request, _("The call was sent to %(name)s.") % {"name": institution.name})
    else:
        messages.info(
            request, _("%(name)s was already invited to this call.") % {"name": institution.name}
        )
    return redirect("network:outreach", call.slug)
