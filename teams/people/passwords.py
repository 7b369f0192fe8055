"""'Forgot your password?': throttled, and sent through the outbox by the queue.

The request only counts and queues: the accounts are looked up by a task, so the answer takes
the same time for a known and an unknown address, and the e-mail leaves exactly once, like
every other, with the set-password link minted when it is sent.
"""

import hashlib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django_q.tasks import async_task

from commissions.accounts import language_of
from commissions.outbox.mail import fresh_key, queue_email
from mias.ratelimit import hit, too_many


def _address_key(address):
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()
    return f"rl:reset-address:{digest}"


def reset_throttled(request, address):
    """Count this request per client address and per e-mail address (no inbox is flooded
    from many addresses); True when either went over the limit."""
    limit, window = settings.RATE_LIMIT_PASSWORD_RESETS, settings.RATE_LIMIT_WINDOW
    by_client = too_many(request, "reset", limit, window)
    by_address = hit(_address_key(address), window) > max(limit, 1)
    return by_client or by_address


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset.html"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        address = form.cleaned_data["email"]
        if not reset_throttled(self.request, address):
            async_task(
                "teams.tasks.send_password_reset",
                address,
                get_language() or settings.LANGUAGE_CODE,
                q_options={"save": False},  # the address is not kept in the task results
            )
        # The same answer for known, unknown and throttled addresses.
        return HttpResponseRedirect(self.get_success_url())


def send_password_reset(address, language):
    """Queue one password e-mail per active account of this address that has a password."""
    form = PasswordResetForm({"email": address})
    if not form.is_valid():
        return 0
    count = 0
    for user in form.get_users(form.cleaned_data["email"]):
        queue_email(
            fresh_key(f"password_reset:{user.pk}"),
            "password_reset",
            user.email,
            language_of(user, language),  # the account's language, else the page's
            params={"user": user.pk},
        )
        count += 1
    return count
