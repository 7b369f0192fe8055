"""The teams follow the call: a key date that moves moves the milestones made from it."""

from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from commissions.models import KeyDate
from teams.follow.following import key_date_changed

# A section of a team's dashboard that an app above adds (insights: the end-of-year survey).
# Receivers get `request`, `team` and `is_member` and return HTML, or None.
dashboard_section = Signal()


@receiver(post_save, sender=KeyDate, dispatch_uid="teams.key_date_changed")
def _key_date_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    key_date_changed(instance, created=created)
