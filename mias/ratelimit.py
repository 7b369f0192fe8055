"""A fixed-window counter per client address, kept in the cache (Redis in production)."""

from django.core.cache import cache


def client_ip(request):
    # Behind the reverse proxy: the last address of X-Forwarded-For is the one our proxy
    # saw; earlier ones are whatever the client claimed.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def hit(key, window):
    """Count one event under `key` in a fixed window of `window` seconds; the new count."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def key(scope, address):
    return f"rl:{scope}:{address}"


def too_many(request, scope, limit, window):
    """Count this request; True once the address went over `limit` in the window."""
    # The first request of a window is always let through, whatever the limit.
    return hit(key(scope, client_ip(request)), window) > max(limit, 1)
