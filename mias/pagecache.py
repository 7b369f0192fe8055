"""Public pages rendered once and served from the shared cache to anonymous visitors.

A page is stored per host, path and language, tagged with the version of the public content
(a stamp, mias/stamps.py: a token in the shared cache, so every gunicorn worker sees a change at
once). Saving anything a public page shows replaces the token (`watch`), and so does `migrate`
(a deploy): older entries are never read again. Each entry also expires when the page's own
state turns (a call opens or closes) and after MAX_AGE at the latest, for the rare change made
past the signals (a queryset update).

Only what is the same for every anonymous visitor is stored: the CSRF token is a placeholder
replaced per request, and a signed-in visitor, one with messages waiting or a query string is
served the normal way. Imports no app.
"""

import hashlib
import secrets
import time

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from mias.stamps import Stamp

# The version of the public content (mias/stamps.py).
PUBLIC = Stamp("public-pages:version")
# The longest an entry lives: the bound on staleness after a change no signal sees.
MAX_AGE = 600
# The token's input as the CSRF tag writes it, to check that no real token is stored.
TOKEN_FIELD = 'name="csrfmiddlewaretoken"'


def eligible(request):
    """True when the page this request asks is the same for every anonymous visitor."""
    if request.method not in ("GET", "HEAD") or request.GET:
        return False
    if getattr(request, "htmx", False):
        return False
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    from django.contrib.messages import get_messages

    # Counting does not mark them read: the normal render still shows them.
    return len(get_messages(request)) == 0


def _key(request):
    path = hashlib.sha256(request.path.encode()).hexdigest()[:32]
    return f"page:{request.get_host()}:{get_language()}:{path}"


# Every stored page is stale: called on a change of anything a public page shows.
bump = PUBLIC.renew
# Forget the stored pages whenever one of these models is saved, deleted or bulk written.
watch = PUBLIC.watch


class Rendering:
    """What a view needs to know while its page is rendered for the cache."""

    def __init__(self):
        self.marker = f"csrf-{secrets.token_hex(16)}"
        self.storable = False
        self.expires = None

    def allow(self, until=None):
        """The page may be stored; `until` (an aware datetime) is when it turns stale."""
        self.storable = True
        if until is not None:
            stamp = until.timestamp()
            self.expires = stamp if self.expires is None else min(self.expires, stamp)


def rendering(request):
    """The Rendering under way for this request, or None when it is served the normal way."""
    return getattr(request, "_pagecache", None)


def context(request):
    """Context for a page that may be stored: the CSRF token as a placeholder."""
    current = rendering(request)
    return {"csrf_token": current.marker} if current is not None else {}


def next_change(*moments, now=None):
    """The earliest of these moments still ahead (None when none is)."""
    now = now or timezone.now()
    ahead = [m for m in moments if m is not None and m > now]
    return min(ahead) if ahead else None


def serve(request, view):
    """The page from the cache, or `view()` rendered (and stored when it allows it)."""
    if not eligible(request):
        return view()
    key = _key(request)
    version, entry = PUBLIC.get(key)
    now = time.time()
    if entry is not None and entry["expires"] > now:
        response = HttpResponse(
            entry["html"].replace(entry["marker"], get_token(request)),
            content_type=entry["content_type"],
        )
        response["X-Page-Cache"] = "hit"
        return response
    current = request._pagecache = Rendering()
    try:
        response = view()
    finally:
        del request._pagecache
    if getattr(response, "streaming", False):
        return response
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    marker = current.marker.encode()
    if marker not in response.content:
        return response
    html = response.content.decode(response.charset)
    expires = min(current.expires or now + MAX_AGE, now + MAX_AGE)
    # Stored only when every token on the page is the placeholder: never a visitor's own.
    if (
        current.storable
        and response.status_code == 200
        and not response.cookies
        and html.count(TOKEN_FIELD) == html.count(current.marker)
        and expires > now + 1
    ):
        PUBLIC.set(
            key,
            version,
            {
                "html": html,
                "marker": current.marker,
                "content_type": response["Content-Type"],
                "expires": expires,
            },
            timeout=int(expires - now),
        )
        response["X-Page-Cache"] = "miss"
    # The visitor who caused the render gets a real token, like every other.
    response.content = response.content.replace(marker, get_token(request).encode())
    return response
