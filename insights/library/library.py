"""The lab's library: finished years' commissions whose institution agreed become the call
pages' "consultancies of earlier years", without anyone typing them again.

An entry is made once per commission (a PastConsultancy linked to it); the coordinator may
then edit or hide it, and later runs leave it as it is."""

from django.db import transaction
from django.utils import timezone

from commissions.models import Commission, PastConsultancy, Programme
from commissions.privacy.contacts import scrub_rows
from insights.archive.figures import calls_with_ends
from insights.models import OralFeedback
from mias.signals import written


def summary(commission):
    """What the institution agreed to show: its title and question (no name)."""
    return f"{commission.title.strip()}. {commission.question.strip()}"


def candidates(programme, now=None):
    """Selected commissions of the programme's finished years, consenting, not yet listed."""
    now = now or timezone.now()
    finished = [c.pk for c in calls_with_ends(programme) if c.is_finished(now, c.lab_end)]
    return (
        Commission.objects.filter(
            call_id__in=finished,
            library_consent=True,
            status=Commission.Status.SELECTED,
            library_entry__isnull=True,
        )
        .select_related("call")
        .order_by("call__academic_year", "reference")
    )


@transaction.atomic
def sync(programme, now=None):
    """List the new candidates; returns how many entries were made."""
    made = PastConsultancy.objects.bulk_create(
        [
            PastConsultancy(
                programme=programme,
                sector_id=c.sector_id,
                summary=summary(c),
                academic_year=c.call.academic_year,
                commission=c,
            )
            for c in candidates(programme, now)
        ]
    )
    if made:
        written(PastConsultancy)  # the cached call pages must list them
    return len(made)


def sync_all(now=None):
    """Every programme (the daily task)."""
    return sum(sync(p, now) for p in Programme.objects.all())


def erase_contact(sender, commissions, scrubber, **kwargs):
    """An erased contact's name leaves what insights keeps of their commissions: the library
    entries and the institution's word on the oral presentation."""
    ids = [c.pk for c in commissions]
    scrubbed = scrub_rows(PastConsultancy.objects.filter(commission__in=ids), scrubber, ["summary"])
    if scrubbed:
        written(PastConsultancy)  # no cached call page may keep the name
    return {
        "library_entries_scrubbed": scrubbed,
        "oral_feedback_scrubbed": scrub_rows(
            OralFeedback.objects.filter(team__commission__in=ids), scrubber, ["comment"]
        ),
    }


def export_contact(sender, commissions, **kwargs):
    """The institution's word on the oral presentations of the contact's commissions."""
    rows = OralFeedback.objects.filter(team__commission__in=[c.pk for c in commissions])
    return {
        "oral_presentation_feedback": [
            {
                "commission": o.team.commission.reference,
                "usefulness": o.usefulness,
                "comment": o.comment,
                "submitted_at": o.submitted_at.isoformat(),
            }
            for o in rows.select_related("team__commission")
        ]
    }
