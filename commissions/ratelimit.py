"""A fixed-window counter per client address, kept in the cache (Redis in production)."""

from django.core.cache import cache


def client_ip(request):
    # Behind the reverse proxy: the last address of X-Forwarded-For is the one our proxy
    # saw; earlier ones are whatever the client claimed.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def too_many(request, scope, limit, window):
    """Count this request; True once the address went over `limit` in the window."""
    key = f"rl:{scope}:{client_ip(request)}"
    if cache.add(key, 1, timeout=window):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return False
    return count > limit
