"""The outbox: what was sent to whom and when, and sending a decision e-mail again."""

from django.contrib import messages
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commissions.access import coordinator_view
from commissions.models import Email
from commissions.outbox.health import queue_health, stale_emails
from commissions.outbox.mail import fresh_key, queue_email
from commissions.paging import page_of


def _of_call(call):
    # Every e-mail names its call, those about a commission too (a constraint says so).
    return Email.objects.filter(call=call)


@coordinator_view
def outbox(request, call):
    """A page of the call's e-mails, newest first, optionally of one status."""
    emails = _of_call(call)
    status = request.GET.get("status", "")[:10]
    shown = emails.filter(status=status) if status in Email.Status.values else emails
    # The page's ids first (sorting two columns of every e-mail of the call), then its rows:
    # sorting whole rows to keep fifty cost more than the rest of the page.
    page = page_of(
        request,
        shown.order_by("-created_at", "-pk").values_list("pk", flat=True),
        count=shown.count(),
    )
    found = (
        Email.objects.defer("body", "params")
        .annotate(reference=F("commission__reference"))
        .in_bulk(list(page.object_list))
    )
    page.object_list = [found[pk] for pk in page.object_list if pk in found]
    return render(
        request,
        "commissions/outbox/outbox.html",
        {
            "call": call,
            "page": page,
            "emails": page.object_list,
            "total": emails.count() if shown is not emails else page.paginator.count,
            "status": status if shown is not emails else "",
            "statuses": Email.Status.choices,
            # Left "sending" by a worker that died between the send and the mark: delivered or
            # not, nobody knows, so nothing resends them; the coordinators see them and decide.
            "stale": list(stale_emails(emails)[:100]),
            "queue": queue_health(emails),
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
