"""Abuse protection: login lockout after repeated failures, and a content security policy."""

import hashlib
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from mias.ratelimit import count, forget, hit, too_many

# ----------------------------------------------------------------------------- lockout

# Set on the request when the client address went over the sign-in rate: not a failure of the
# account's password, so it does not count towards the account's lockout.
THROTTLED = "_mias_login_throttled"


def _limits():
    return (
        getattr(settings, "LOGIN_FAILURE_LIMIT", 5),
        getattr(settings, "LOGIN_LOCKOUT_SECONDS", 900),
    )


def _account(username):
    """The pk of the account a typed login names (username first, as the backends try it,
    then e-mail address), or None."""
    name = (username or "").strip()
    if not name or len(name) > 254:
        return None
    model = get_user_model()
    pk = model.objects.filter(**{model.USERNAME_FIELD: name}).values_list("pk", flat=True).first()
    if pk is None and "@" in name:
        pk = (
            model.objects.filter(email__iexact=name)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
    return pk


def _key(username):
    """One counter per account, whichever spelling signs in (username or e-mail address);
    unknown logins count under their own (hashed: the cache never holds what was typed)."""
    pk = _account(username)
    if pk is not None:
        return f"login-failures:user:{pk}"
    digest = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()
    return f"login-failures:{digest}"


def is_locked(username):
    limit, _seconds = _limits()
    return count(_key(username)) >= limit


@receiver(user_login_failed)
def _count_failure(sender, credentials, request=None, **kwargs):
    if request is not None and getattr(request, THROTTLED, False):
        return
    username = credentials.get("username") or credentials.get("email") or ""
    _limit, seconds = _limits()
    hit(_key(username), seconds)


@receiver(user_logged_in)
def _reset_failures(sender, user, request=None, **kwargs):
    forget(f"login-failures:user:{user.pk}")


def login_throttled(request):
    """Count one sign-in attempt from this address; True over the limit (no hashing then)."""
    if request is None or not hasattr(request, "META"):
        return False
    if getattr(request, THROTTLED, False):
        return True
    throttled = too_many(
        request,
        "login",
        getattr(settings, "RATE_LIMIT_LOGINS", 60),
        getattr(settings, "RATE_LIMIT_LOGIN_WINDOW", 300),
    )
    if throttled:
        setattr(request, THROTTLED, True)
    return throttled


class LockoutBackend(ModelBackend):
    """First in AUTHENTICATION_BACKENDS: stops every login form (ours, Django's admin,
    Wagtail's) for an address over the sign-in rate, before any password is hashed, and for
    an account under lockout, even with the right password. It never authenticates anyone
    itself; get_user is the model's, for sessions that name it."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if login_throttled(request):
            raise PermissionDenied
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
        "throttled": _(
            "Too many sign-in attempts from your connection: try again in a few minutes."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Students and supervisors sign in with their e-mail (mias.backends); coordinators'
        # accounts also have a user name, which still works.
        field = self.fields["username"]
        field.label = _("E-mail")
        field.help_text = _("Coordinators may also use their user name.")
        field.widget.attrs.update({"inputmode": "email", "autocomplete": "username"})

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and is_locked(username):
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": max(_limits()[1] // 60, 1)},
            )
        try:
            return super().clean()
        except ValidationError:
            if self.request is not None and getattr(self.request, THROTTLED, False):
                raise ValidationError(self.error_messages["throttled"], code="throttled") from None
            raise


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


# The pages a private link opens (the institution's page and everything under it): no shared
# cache, proxy or browser history may keep a copy.
PRIVATE_PATHS = re.compile(r"^/commande/(?!lien/)[^/]+/")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(CSP_EXEMPT):
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response


class PrivateLinkCacheMiddleware:
    """`Cache-Control: private, no-store` on every page a private link opens."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if PRIVATE_PATHS.match(request.path):
            response.headers["Cache-Control"] = "private, no-store"
        return response
