"""django-q2 tasks of the insights app; each is idempotent."""

from insights.library.library import sync_all


def sync_library():
    """The daily run (a django-q2 schedule): lists the finished years' consenting commissions."""
    return sync_all()
