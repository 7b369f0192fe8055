"""Stamps: the version of something derived from the data and kept in the shared cache.

A stamp is a random token in the shared cache (every gunicorn worker sees it): whatever is
stored is tagged with the token of its time, and a change of the data it comes from replaces
the token, so the older entries are never read again. `watch` replaces it on every save or
delete of the given models and on `rows_written` (a queryset update or a bulk insert, which
send no model signal). Imports no app.
"""

import secrets

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from mias.signals import rows_written

# The shared cache: a table of the database, or Redis (never one process's memory).
SHARED = "pages"


def shared_cache():
    return caches[SHARED if SHARED in settings.CACHES else "default"]


class Stamp:
    def __init__(self, key):
        self.key = key

    def current(self, store=None):
        """The token now (one is made the first time)."""
        store = store or shared_cache()
        token = store.get(self.key)
        if token is None:
            store.add(self.key, secrets.token_hex(8), timeout=None)
            token = store.get(self.key)
        return token

    def get(self, key):
        """(the current token, what was stored under `key` with it, else None): one read."""
        store = shared_cache()
        found = store.get_many([self.key, key])
        token = found.get(self.key) or self.current(store)
        entry = found.get(key)
        return token, entry[1] if entry is not None and entry[0] == token else None

    def set(self, key, token, value, timeout):
        """Store `value` under `key`, valid while the token is `token` (from `get`)."""
        shared_cache().set(key, (token, value), timeout=timeout)

    def _replace(self):
        shared_cache().set(self.key, secrets.token_hex(8), timeout=None)

    def renew(self, **_kwargs):
        """Everything stored under the current token is stale.

        Now (the same transaction sees it) and again after the commit, so an entry that
        another request computes from the data before the commit is never tagged with the
        new token."""
        self._replace()
        connection = transaction.get_connection()
        if connection.in_atomic_block and not any(
            getattr(func, "__self__", None) is self and func.__func__ is Stamp._replace
            for _sids, func, _robust in connection.run_on_commit
        ):
            transaction.on_commit(self._replace)

    def watch(self, *models, uid):
        """Renew on every save or delete of these models, and on their bulk writes."""

        def renew_for(sender, **kwargs):
            if sender in models:
                self.renew()

        for model in models:
            for signal in (post_save, post_delete):
                signal.connect(
                    self.renew, sender=model, weak=False, dispatch_uid=f"{uid}:{model.__name__}"
                )
        rows_written.connect(renew_for, weak=False, dispatch_uid=f"{uid}:rows-written")
