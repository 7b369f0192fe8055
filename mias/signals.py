"""Signals every app may send; they import no app."""

from django.dispatch import Signal

# Sent after a write that Django's model signals do not see (a queryset update, a bulk insert):
# sender is the model whose rows were written. The stamps of cached content listen to it.
rows_written = Signal()


def written(*models):
    """Say that rows of these models were written past their signals (update, bulk_create)."""
    for model in models:
        rows_written.send(sender=model)
