"""Abuse protection: login lockout after repeated failures, and a content security policy."""

import hashlib

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from mias.ratelimit import hit

# ----------------------------------------------------------------------------- lockout


def _limits():
    return (
        getattr(settings, "LOGIN_FAILURE_LIMIT", 5),
        getattr(settings, "LOGIN_LOCKOUT_SECONDS", 900),
    )


def _key(username):
    # Hashed: the cache never holds the typed login.
    digest = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()
    return f"login-failures:{digest}"


def is_locked(username):
    limit, _seconds = _limits()
    return cache.get(_key(username), 0) >= limit


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    username = credentials.get("username") or credentials.get("email") or ""
    _limit, seconds = _limits()
    hit(_key(username), seconds)


@receiver(user_logged_in)
def _reset_failures(sender, user, request=None, **kwargs):
    for name in {user.get_username(), user.email}:
        if name:
            cache.delete(_key(name))


class LockoutBackend(ModelBackend):
    """First in AUTHENTICATION_BACKENDS: stops every login form (ours, Django's admin,
    Wagtail's) for an account under lockout, even with the right password. It never
    authenticates anyone itself; get_user is the model's, for sessions that name it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and is_locked(username):
            raise PermissionDenied
        return None


class LoginForm(AuthenticationForm):
    """Says why a locked account cannot sign in, instead of "wrong password"."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _(
            "Too many failed attempts for this account: try again in %(minutes)d minutes, "
            "or choose a new password."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and is_locked(username):
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": max(_limits()[1] // 60, 1)},
            )
        return super().clean()


# ----------------------------------------------------------------------------- CSP

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
# The admin sites ship inline scripts of their own; they keep their defaults.
CSP_EXEMPT = ("/admin/", "/django-admin/")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(CSP_EXEMPT):
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response


class AccountPasswordResetForm(PasswordResetForm):
    """The set-password e-mail in the account's language, not the page's.

    Reads user.profile.language (commissions' Profile) without importing it: mias imports no app.
    """

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        profile = getattr(context.get("user"), "profile", None)
        language = getattr(profile, "language", "") or translation.get_language()
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
