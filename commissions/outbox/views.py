"""The outbox: what was sent to whom and when, and sending a decision e-mail again."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commissions.access import coordinator_view
from commissions.models import Email
from commissions.outbox.health import queue_health
from commissions.outbox.mail import fresh_key, queue_email


def _of_call(call):
    return Email.objects.filter(Q(commission__call=call) | Q(call=call))


@coordinator_view
def outbox(request, call):
    emails = list(_of_call(call).select_related("commission").order_by("-created_at")[:500])
    # Left "sending" by a worker that died between the send and the mark: delivered or not,
    # nobody knows, so nothing resends them; the coordinators see them and decide.
    stale = [email for email in emails if email.is_stale]
    return render(
        request,
        "commissions/outbox/outbox.html",
        {
            "call": call,
            "emails": emails,
            "stale": stale,
            "queue": queue_health(_of_call(call)),
        },
    )


@coordinator_view
@require_POST
def resend_email(request, call, pk):
    email = get_object_or_404(
        Email.objects.select_related("commission"), pk=pk, commission__call=call
    )
    if not email.is_decision:
        raise Http404
    if not email.attempted:
        messages.error(
            request,
            _(
                "This e-mail has not been tried yet: it leaves with the queue, no second copy "
                "needed."
            ),
        )
        return redirect("commissions:outbox", slug=call.slug)
    if request.POST.get("confirm") != "1":
        return render(
            request, "commissions/outbox/resend_confirm.html", {"call": call, "email": email}
        )
    queue_email(
        fresh_key(f"{email.key}:resend"),
        email.kind,
        email.commission.contact_email,
        email.language,
        email.commission,
    )
    messages.success(request, _("The e-mail is queued again for %(to)s.") % {"to": email.to})
    return redirect("commissions:outbox", slug=call.slug)
