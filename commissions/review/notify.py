"""What reviewers are told and shown: their queue, the assignment e-mail, the one reminder.

Every e-mail goes through the outbox under a key, so it leaves once: the assignment e-mail
once per batch of new assignments, the reminder once per reviewer and call.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commissions.models import Call, ReviewAssignment, SelectionRun
from commissions.outbox.mail import absolute, queue_email, register

# The reminder leaves this long before the review deadline, to those who have not finished.
REMINDER_BEFORE = timedelta(days=2)


def scores_frozen(call):
    """The confirmed selection run once decisions are applied (scores no longer change)."""
    return (
        SelectionRun.objects.filter(call=call, confirmed_at__isnull=False)
        .order_by("confirmed_at")
        .first()
    )


def queue(user):
    """The calls this person reviews for, each with what is left: [{call, pending, total, next}].

    One query. `next` is the first commission still to score (by reference)."""
    rows = {}
    assignments = (
        ReviewAssignment.objects.filter(reviewer=user)
        .select_related("commission__call__programme")
        .order_by("commission__reference", "pk")
    )
    for a in assignments:
        call = a.commission.call
        row = rows.setdefault(call.pk, {"call": call, "pending": 0, "total": 0, "next": None})
        row["total"] += 1
        if a.submitted_at is None:
            row["pending"] += 1
            row["next"] = row["next"] or a.commission
    return sorted(rows.values(), key=lambda r: r["call"].opens_at, reverse=True)


def _menu_key(user_id):
    return f"to-review:{user_id}"


def menu_counts(user):
    """(assigned, still to score) for the header's menu entry; cached, one query on a miss."""

    def count():
        found = ReviewAssignment.objects.filter(reviewer=user).aggregate(
            total=Count("pk"), pending=Count("pk", filter=Q(submitted_at__isnull=True))
        )
        return (found["total"], found["pending"])

    return tuple(cache.get_or_set(_menu_key(user.pk), count, 3600))


@receiver(user_logged_in, dispatch_uid="to-review-count-login")
def _count_at_sign_in(sender, request, user, **kwargs):
    """Counted once at sign-in, so the pages themselves need no query for the menu."""
    cache.delete(_menu_key(user.pk))
    menu_counts(user)


@receiver(post_save, sender=ReviewAssignment, dispatch_uid="to-review-count-save")
@receiver(post_delete, sender=ReviewAssignment, dispatch_uid="to-review-count-delete")
def _forget_menu_counts(sender, instance, **kwargs):
    cache.delete(_menu_key(instance.reviewer_id))


def next_unreviewed(user, commission):
    """The reviewer's next commission still to score after this one (by reference), or None."""
    left = list(
        ReviewAssignment.objects.filter(
            reviewer=user, commission__call_id=commission.call_id, submitted_at__isnull=True
        )
        .exclude(commission=commission)
        .select_related("commission")
        .order_by("commission__reference")
        .values_list("commission__pk", "commission__reference", "commission__title")
    )
    after = [row for row in left if row[1] > commission.reference]
    row = (after or left or [None])[0]
    return None if row is None else {"pk": row[0], "reference": row[1], "title": row[2]}


def _language(user):
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def tell_assigned(call, reviewer, assignments):
    """One e-mail for this batch of new assignments (none when the batch is empty)."""
    ids = sorted(a.pk for a in assignments)
    if not ids or not reviewer.email:
        return None
    email, _created = queue_email(
        f"review-assigned:{reviewer.pk}:{ids[0]}-{ids[-1]}:{len(ids)}",
        "review_assigned",
        reviewer.email,
        language=_language(reviewer),
        call=call,
        params={"reviewer": reviewer.pk, "assignments": ids},
    )
    return email


def send_review_reminders(now=None):
    """Once per reviewer and call, shortly before the review deadline, to those not finished.

    Safe to run as often as wanted: the outbox key makes each reminder leave once."""
    now = now or timezone.now()
    calls = Call.objects.filter(
        review_deadline__gt=now, review_deadline__lte=now + REMINDER_BEFORE
    ).exclude(selection_runs__confirmed_at__isnull=False)
    queued = 0
    for call in calls:
        late = (
            get_user_model()
            .objects.filter(
                review_assignments__commission__call=call,
                review_assignments__submitted_at__isnull=True,
                is_active=True,
            )
            .distinct()
        )
        for reviewer in late:
            if not reviewer.email:
                continue
            queued += queue_email(
                f"review-reminder:{call.pk}:{reviewer.pk}",
                "review_reminder",
                reviewer.email,
                language=_language(reviewer),
                call=call,
                params={"reviewer": reviewer.pk},
            )[1]
    return queued


def _reviewer_context(email):
    reviewer = get_user_model().objects.get(pk=email.params["reviewer"])
    call = Call.objects.select_related("programme").get(pk=email.call_id)
    pending = list(
        ReviewAssignment.objects.filter(
            reviewer=reviewer, commission__call=call, submitted_at__isnull=True
        )
        .select_related("commission")
        .order_by("commission__reference")
    )
    return {
        "reviewer": reviewer,
        "call": call,
        "pending": [a.commission for a in pending],
        "link": absolute(reverse("commissions:review_table", args=[call.slug])),
    }


@register("review_assigned", _("Commissions to review (reviewer)"))
def _assigned(email, issue_link=True):
    context = _reviewer_context(email)
    ids = set(email.params.get("assignments", []))
    context["assigned"] = [
        a.commission
        for a in ReviewAssignment.objects.filter(pk__in=ids)
        .select_related("commission")
        .order_by("commission__reference")
    ]
    return context, []


@register("review_reminder", _("Reminder to finish the reviews"))
def _reminder(email, issue_link=True):
    return _reviewer_context(email), []
