"""django-q2 tasks of the network app (their dotted paths are stored in the queue)."""

from commissions.models import Institution
from network.finder import indexing


def index_organisation(pk):
    """Recompute one organisation's vector; idempotent (an unchanged text is skipped)."""
    if not Institution.objects.filter(pk=pk).exists():
        return 0
    return indexing.index_one(pk)


def index_every_organisation():
    return indexing.index_all()
