"""Who gets into a coordinator's page or an institution's private page: the one check.

Every coordinator view of every app takes its call from the URL through `coordinator_view`
(or `workspace_view`, which also lets in the reviewers of the call), so no view can forget
the programme wall. The object-level rules stay small predicates in each app's `rules.py`.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from commissions import rules
from commissions.models import AccessToken, Call


def _call_view(allowed):
    def decorator(view):
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            call = get_object_or_404(Call.objects.select_related("programme"), slug=slug)
            if not allowed(request.user, call):
                raise PermissionDenied
            return view(request, call, *args, **kwargs)

        return wrapper

    return decorator


# The view receives the call instead of its slug.
coordinator_view = _call_view(rules.is_coordinator)
workspace_view = _call_view(rules.can_open_workspace)


def commission_for_token(token):
    """The one commission an institution's private link opens; 404 for any other token."""
    commission = AccessToken.resolve(token)
    if commission is None:
        raise Http404(_("This link is unknown or was revoked."))
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
