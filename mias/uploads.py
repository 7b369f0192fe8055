"""Upload limits: a cap on every request body, and a tighter one per upload view.

The size is read from Content-Length before anything reads the body, so an oversized upload
costs neither disk nor memory; the person is told the limit in words."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Room for the form's other fields and the multipart boundaries around the file.
FORM_OVERHEAD = 64 * 1024


def declared_length(request):
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def too_large_message(limit):
    return _("The file is too large: the limit is %(limit)s. Nothing was received.") % {
        "limit": filesizeformat(limit)
    }


class UploadLimitMiddleware:
    """Any request whose body is over MAX_REQUEST_BYTES gets a 413 page, unread; a view marked
    with limit_upload refuses a larger upload here, before the CSRF check reads the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_BYTES
        if declared_length(request) > limit:
            return render(request, "413.html", {"message": too_large_message(limit)}, status=413)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        rule = getattr(view_func, "upload_limit", None)
        if rule is None:
            return None
        return _refuse(request, *rule, view_args, view_kwargs)


def _refuse(request, max_bytes, back, args, kwargs):
    """The redirect that refuses an oversized upload, or None when it may be read."""
    limit = max_bytes() if callable(max_bytes) else max_bytes
    if request.method != "POST" or declared_length(request) <= limit + FORM_OVERHEAD:
        return None
    messages.error(request, too_large_message(limit))
    return redirect(back(request, *args, **kwargs) if back else request.get_full_path())


def limit_upload(max_bytes, back=None):
    """On POST, an upload over max_bytes is not read: the person is sent back with the limit.

    max_bytes: a number, or a function of nothing (read at each request, so settings count);
    back(request, *args, **kwargs): where to go back, the same page when not given."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            refused = _refuse(request, max_bytes, back, args, kwargs)
            return refused or view(request, *args, **kwargs)

        # Read by UploadLimitMiddleware (functools.wraps carries it through outer decorators).
        wrapped.upload_limit = (max_bytes, back)
        return wrapped

    return decorator
