from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from commissions.access import commission_for_token
from commissions.intake import services
from commissions.intake.forms import (
    EditForm,
    InstitutionDetailsForm,
    LinkRequestForm,
    SubmissionForm,
    WithdrawForm,
)
from commissions.intake.next_steps import what_next
from commissions.models import Call, Commission
from commissions.signals import portal_section
from mias import pagecache
from mias.ratelimit import too_many

SESSION_LAST_SUBMISSION = "last_submission"


def _call_or_404(slug):
    return get_object_or_404(
        Call.objects.select_related("programme").prefetch_related("key_dates"), slug=slug
    )


def _call_page_url(call):
    """The call's page (its translations share the address: Wagtail serves the reader's)."""
    pages = getattr(call, "pages", None)
    page = pages.filter(live=True).order_by("pk").first() if pages is not None else None
    return page.url if page is not None else "/"


@require_http_methods(["GET", "POST"])
def submit(request, slug):
    if request.method == "GET":
        # The empty form is the same for every anonymous visitor: rendered once per change.
        return pagecache.serve(request, lambda: _submit(request, slug))
    return _submit(request, slug)


def _submit(request, slug):
    call = _call_or_404(slug)
    now = timezone.now()
    current = pagecache.rendering(request)
    if current is not None:
        current.allow(pagecache.next_change(call.opens_at, call.deadline, now=now))
    if not call.accepts_submissions(now):
        status = 200 if request.method == "GET" else 403
        return render(
            request,
            "commissions/intake/closed.html",
            {
                "call": call,
                "not_yet_open": call.not_yet_open(now),
                "call_page_url": _call_page_url(call),
                **pagecache.context(request),
            },
            status=status,
        )
    if request.method == "POST":
        form = SubmissionForm(request.POST, call=call)
        if too_many(request, "submit", settings.RATE_LIMIT_SUBMISSIONS, settings.RATE_LIMIT_WINDOW):
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Too many submissions from your connection. "
                    "Please try again in an hour or write to us."
                ),
            )
            return render(
                request, "commissions/intake/submit.html", {"call": call, "form": form}, status=429
            )
        if form.is_valid():
            commission = services.submit_commission(form, get_language() or "fr")
            # Only the reference: a session outlives an erasure of the contact's data.
            request.session[SESSION_LAST_SUBMISSION] = {
                "reference": commission.reference,
                "call": call.slug,
            }
            return redirect("commissions:submitted", slug=call.slug)
    else:
        form = SubmissionForm(call=call)
    return render(
        request,
        "commissions/intake/submit.html",
        {"call": call, "form": form, **pagecache.context(request)},
    )


def submitted(request, slug):
    call = _call_or_404(slug)
    last = request.session.get(SESSION_LAST_SUBMISSION)
    if not last or last.get("call") != call.slug:
        return redirect(call.get_submit_url())
    return render(
        request,
        "commissions/intake/submitted.html",
        {"call": call, "last": last, "what_next": what_next(call)},
    )


def render_portal(request, commission, token, status=200, forms=None):
    """The institution's page; other apps add their sections (`signals.portal_section`)."""
    replies = portal_section.send(
        sender=Commission, request=request, commission=commission, token=token, forms=forms or {}
    )
    return render(
        request,
        "commissions/intake/portal.html",
        {
            "commission": commission,
            "token": token,
            "commitments": [
                c
                for c in commission.call.commitments()
                if c.kind in commission.accepted_commitments
            ],
            "editable": commission.is_editable(),
            "can_withdraw": commission.can_withdraw(),
            "details_editable": services.details_editable(commission),
            "sections": [html for _receiver, html in replies if html],
            # Until a section (the team) shows its own dates: what happens next, and when.
            "what_next": [] if any(html for _r, html in replies) else what_next(
                commission.call, commission
            ),
            # Forms of the sections sent with errors: their summary opens the page.
            "failed_forms": [f for f in (forms or {}).values() if f.errors],
        },
        status=status,
    )


def portal(request, token):
    return render_portal(request, commission_for_token(token, request), token)


@require_http_methods(["GET", "POST"])
def edit(request, token):
    commission = commission_for_token(token, request)
    portal_url = reverse("commissions:portal", args=[token])
    if not commission.is_editable():
        messages.warning(
            request, _("The deadline has passed: the commission can no longer be edited.")
        )
        return redirect(portal_url)
    form = EditForm(
        request.POST if request.method == "POST" else None,
        instance=commission,
        call=commission.call,
    )
    if request.method == "POST" and form.is_valid() and services.update_commission(form):
        messages.success(request, _("Your changes are saved."))
        return redirect(portal_url)
    return render(
        request,
        "commissions/intake/edit.html",
        {"commission": commission, "form": form, "token": token},
    )


@require_http_methods(["GET", "POST"])
def institution_details(request, token):
    """The institution corrects its name, address, website or sector, until the selection."""
    commission = commission_for_token(token)
    portal_url = reverse("commissions:portal", args=[token])
    if not services.details_editable(commission):
        messages.warning(
            request,
            _("The selection is made: write to the coordinators to correct your details."),
        )
        return redirect(portal_url)
    form = InstitutionDetailsForm(
        request.POST if request.method == "POST" else None, instance=commission.institution
    )
    if request.method == "POST" and form.is_valid():
        changed = services.update_institution(commission, form)
        messages.success(
            request, _("Your details are corrected.") if changed else _("Nothing was changed.")
        )
        return redirect(portal_url)
    return render(
        request,
        "commissions/intake/institution_details.html",
        {"commission": commission, "form": form, "token": token},
    )


@require_http_methods(["GET", "POST"])
def withdraw(request, token):
    commission = commission_for_token(token, request)
    portal_url = reverse("commissions:portal", args=[token])
    if not commission.can_withdraw():
        messages.warning(request, _("This commission can no longer be withdrawn."))
        return redirect(portal_url)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.withdraw_commission(commission)
        messages.success(request, _("Your commission is withdrawn. Thank you for letting us know."))
        return redirect(portal_url)
    return render(
        request,
        "commissions/intake/withdraw.html",
        {"commission": commission, "form": form, "token": token},
    )


@require_http_methods(["GET", "POST"])
def request_link(request):
    form = LinkRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not too_many(
            request, "link", settings.RATE_LIMIT_LINK_REQUESTS, settings.RATE_LIMIT_WINDOW
        ):
            # Looked up by the queue, not here: the answer takes the same time and the same
            # queries whether or not the address is known.
            services.queue_link_request(form.cleaned_data["email"], get_language() or "fr")
        # The same answer whether or not the address is known, and when rate-limited.
        return render(
            request, "commissions/intake/link_sent.html", {"email": form.cleaned_data["email"]}
        )
    return render(request, "commissions/intake/request_link.html", {"form": form})
