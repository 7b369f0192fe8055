"""Who gets into a coordinator's page or an institution's private page: the one check.

Every coordinator view of every app takes its call from the URL through `coordinator_view`
(or `workspace_view`, which also lets in the reviewers of the call), so no view can forget
the programme wall. The object-level rules stay small predicates in each app's `rules.py`.
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _

from commissions import rules
from commissions.models import AccessToken, Call, Programme

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def refuse_finished(request, call):
    """A finished year is read-only: every change is refused, with the reason."""
    return render(request, "commissions/finished.html", {"call": call}, status=403)


def _call_view(allowed, changes_call=True):
    def decorator(view):
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            call = get_object_or_404(Call.objects.select_related("programme"), slug=slug)
            if not allowed(request.user, call):
                raise PermissionDenied
            if changes_call and request.method not in SAFE_METHODS and call.is_finished():
                return refuse_finished(request, call)
            return view(request, call, *args, **kwargs)

        return wrapper

    return decorator


# The view receives the call instead of its slug.
coordinator_view = _call_view(rules.is_coordinator)
workspace_view = _call_view(rules.can_open_workspace)
# For coordinator views whose POSTs leave the call as it is (copying it into next year), so
# they also work on a finished year.
coordinator_reading_view = _call_view(rules.is_coordinator, changes_call=False)


def programme_view(view):
    """A coordinator's page of a whole programme: the view receives the programme."""

    @wraps(view)
    def wrapper(request, programme, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        found = get_object_or_404(Programme, slug=programme)
        if not rules.is_programme_coordinator(request.user, found):
            raise PermissionDenied
        return view(request, found, *args, **kwargs)

    return wrapper


def commission_for_token(token, request=None):
    """The one commission an institution's private link opens; 404 for any other token.

    With the request, the page speaks the contact's language (chosen on the form) unless
    the visitor picked one with the language menu (the language cookie).
    """
    commission = AccessToken.resolve(token)
    if commission is None:
        raise Http404(_("This link is unknown or was revoked."))
    if request is not None and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        code = commission.submitter_language
        if code in dict(settings.LANGUAGES):
            translation.activate(code)
            request.LANGUAGE_CODE = code
    return commission


def registry_view(view):
    """A coordinator page not bound to a call (the organisation registry): any programme's."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not rules.coordinates_any(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
