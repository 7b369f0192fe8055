"""The coordinators' data-protection screen: look up, export and erase a contact person.

Every request is a POST, so that the e-mail address never sits in a URL (access logs,
browser history); the pages are never cached.
"""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from commissions import rules
from commissions.privacy import contacts as privacy


class LookupForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the contact person"), max_length=254)


class EraseForm(forms.Form):
    email = forms.EmailField(widget=forms.HiddenInput, max_length=254)
    confirm = forms.BooleanField(
        label=_(
            "I understand that the contact person's personal data will be erased for good; "
            "the commissions stay, anonymised."
        ),
        error_messages={"required": _("Tick the box to confirm the erasure.")},
    )
    email_again = forms.CharField(
        label=_("Type the e-mail address again"), max_length=254, strip=True
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "erase_%s")  # the look-up form above has id_email
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        email, again = data.get("email"), data.get("email_again")
        if email and again and email.lower() != again.lower():
            self.add_error("email_again", _("This is not the address looked up."))
        return data


def privacy_scope(user):
    """The programmes whose data this person may see (None: all); 403 for the others."""
    if user.is_superuser:
        return None
    ids = rules.coordinated_programme_ids(user)
    if not ids:
        raise PermissionDenied
    return ids


def _page(request, lookup, erase_form=None, scope=None):
    data = None
    if lookup.is_bound and lookup.is_valid():
        data = privacy.contact_data(lookup.cleaned_data["email"], scope)
        if erase_form is None:
            erase_form = EraseForm(initial={"email": lookup.cleaned_data["email"]})
    rows = [
        {
            **c,
            "consent_date": parse_datetime(c["consent_at"]) if c["consent_at"] else None,
            "kept_until_date": parse_date(c["kept_until"]) if c["kept_until"] else None,
        }
        for c in (data["commissions"] if data else [])
    ]
    context = {
        "form": lookup,
        "rows": rows,
        "erase_form": erase_form,
        "data": data,
        "counts": privacy.summary(data) if data else None,
        "everything": scope is None,
    }
    return render(request, "commissions/privacy/home.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def privacy_home(request):
    scope = privacy_scope(request.user)
    lookup = LookupForm(request.POST if request.method == "POST" else None)
    return _page(request, lookup, scope=scope)


@never_cache
@login_required
@require_POST
def privacy_export(request):
    scope = privacy_scope(request.user)
    lookup = LookupForm(request.POST)
    if not lookup.is_valid():
        return _page(request, lookup, scope=scope)
    data = privacy.contact_data(lookup.cleaned_data["email"], scope)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    # No address in the file name either: it ends up in download lists.
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="contact-data-{stamp}.json"'
    return response


@never_cache
@login_required
@require_POST
def privacy_erase(request):
    scope = privacy_scope(request.user)
    form = EraseForm(request.POST)
    if not form.is_valid():
        lookup = LookupForm({"email": request.POST.get("email", "")})
        return _page(request, lookup, erase_form=form, scope=scope)
    counts = privacy.erase_contact(form.cleaned_data["email"], request.user, scope)
    n = counts["commissions"]
    if n:
        messages.success(
            request,
            ngettext(
                "The contact person's personal data was erased from %(n)d commission.",
                "The contact person's personal data was erased from %(n)d commissions.",
                n,
            )
            % {"n": n},
        )
    else:
        messages.info(request, _("No commission of your programmes has this contact person."))
    if counts.get("accounts_kept"):
        messages.warning(
            request,
            _(
                "This address also signs in a student or supervisor account, which is kept: "
                "an administrator deletes it in the administration if needed."
            ),
        )
    return redirect("commissions:privacy")
