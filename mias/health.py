"""`/health/` for the monitor: database, cache and task queue, as JSON with 200 or 503."""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_q.brokers import get_broker

logger = logging.getLogger(__name__)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("unexpected answer")


def check_cache():
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=30)
    try:
        if cache.get(key) != "ok":
            raise RuntimeError("value not read back")
    finally:
        cache.delete(key)


def check_queue():
    broker = get_broker()
    if broker.ping() is False:
        raise RuntimeError("broker did not answer")
    broker.queue_size()  # the ORM broker's ping is always True: this one queries its table


def _run(name, check):
    try:
        check()
    except Exception as exc:  # any failure is reported, never raised
        # The class name only: messages may contain hosts, users or connection strings.
        logger.error("health check %s failed: %s", name, exc.__class__.__name__)
        return "error"
    return "ok"


@never_cache
@require_safe
def health(request):
    checks = {
        "database": _run("database", check_database),
        "cache": _run("cache", check_cache),
        "queue": _run("queue", check_queue),
    }
    ok = all(result == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if ok else "error", "checks": checks}, status=200 if ok else 503
    )
