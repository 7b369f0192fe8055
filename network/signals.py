"""An organisation changes: its vector is recomputed by a task after the commit. And the
network's tab in a call's workspace."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from commissions.models import Institution


def queue_indexing(pk):
    """After the commit; the task skips an organisation whose text did not change."""
    transaction.on_commit(lambda: async_task("network.tasks.index_organisation", pk))


@receiver(post_save, sender=Institution, dispatch_uid="network-index-on-save")
def institution_saved(sender, instance, raw=False, **kwargs):
    # An organisation enters the finder once it has a description or sectors (then the
    # m2m signal below): a name alone, as the submission form makes it, gives no vector.
    if not raw and instance.descriptions:
        queue_indexing(instance.pk)


@receiver(m2m_changed, sender=Institution.sectors.through, dispatch_uid="network-index-sectors")
def sectors_changed(sender, instance, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Institution):
        # The finder's cache watches updated_at: a change of sectors is a change too.
        Institution.objects.filter(pk=instance.pk).update(updated_at=timezone.now())
        queue_indexing(instance.pk)


def institution_merged(sender, keep, other, **kwargs):
    """A duplicate merged away: its events and invitations become the kept organisation's."""
    from network.models import Event, Invitation, Participation

    met = set(keep.participations.values_list("event_id", flat=True))
    Participation.objects.filter(institution=other).exclude(event_id__in=met).update(
        institution=keep
    )
    Event.objects.filter(organiser=other).update(organiser=keep)
    invited = set(keep.invitations.values_list("call_id", flat=True))
    Invitation.objects.filter(institution=other).exclude(call_id__in=invited).update(
        institution=keep
    )


def call_links(sender, call, **kwargs):
    """The outreach tab of a call's workspace (commissions.signals.call_links)."""
    return [(_("Outreach"), reverse("network:outreach", args=[call.slug]), "outreach")]
