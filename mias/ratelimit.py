"""Fixed-window counters per client address or account, kept in the shared security cache.

The counters live in `caches["security"]` (Redis when REDIS_URL is set, else the database
cache): every gunicorn worker and every server sees the same count. Never per-process memory.
"""

import ipaddress
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

SECURITY_CACHE = "security"


def counters():
    """The cache that holds the security counters (rate limits, login failures)."""
    return caches[SECURITY_CACHE if SECURITY_CACHE in settings.CACHES else "default"]


@lru_cache(maxsize=8)
def _networks(proxies):
    networks = []
    for item in proxies:
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            continue  # a typo in TRUSTED_PROXIES trusts nothing more, never everything
    return tuple(networks)


def _is_trusted(address):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    return any(ip in network for network in networks)


def client_ip(request):
    """The client's address: REMOTE_ADDR, unless it is one of our reverse proxies.

    X-Forwarded-For is read only when the request comes from a configured proxy
    (TRUSTED_PROXIES); then the rightmost address that is not a proxy of ours is the client
    (the ones to its left are whatever the client claimed). Someone reaching gunicorn directly
    cannot choose their address with the header.
    """
    remote = request.META.get("REMOTE_ADDR", "")[:64]
    if not _is_trusted(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part.strip()[:64] for part in forwarded.split(",") if part.strip()]):
        if not _is_trusted(hop):
            return hop
    return remote


def hit(key, window):
    """Count one event under `key` in a fixed window of `window` seconds; the new count."""
    cache = counters()
    if isinstance(cache, RedisCache):  # atomic, and INCR keeps the key's expiry
        if cache.add(key, 1, timeout=window):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=window)
            return 1
    # Other stores (the database cache): the count and the window's end in one entry, since
    # their incr() would restart the expiry at the default timeout. Not atomic: two workers
    # counting at the very same moment may count one event less, never more.
    now = time.time()
    entry = cache.get(key)
    if not isinstance(entry, tuple) or entry[1] <= now:
        entry = (0, now + window)
    entry = (entry[0] + 1, entry[1])
    cache.set(key, entry, timeout=max(int(entry[1] - now) + 1, 1))
    return entry[0]


def count(key):
    entry = counters().get(key, 0)
    if isinstance(entry, tuple):
        return entry[0] if entry[1] > time.time() else 0
    return entry


def forget(*keys):
    counters().delete_many(keys)


def key(scope, address):
    return f"rl:{scope}:{address}"


def too_many(request, scope, limit, window):
    """Count this request; True once the address went over `limit` in the window."""
    # The first request of a window is always let through, whatever the limit.
    return hit(key(scope, client_ip(request)), window) > max(limit, 1)
