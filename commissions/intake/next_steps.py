"""What happens next, and when: the steps an institution is waiting for, its own first.

Read by the confirmation page and the institution's private link before its team is
published (the teams app then shows the team's own dates)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from commissions.models import Commission, KeyDate

PENDING = (Commission.Status.SUBMITTED, Commission.Status.UNDER_REVIEW)


def what_next(call, commission=None, now=None, limit=4):
    """[{"label", "when", "all_day", "yours", "actor"}], in date order, at most `limit`."""
    now = now or timezone.now()
    steps = []
    status = commission.status if commission is not None else Commission.Status.SUBMITTED
    if status in PENDING and now < call.deadline:
        steps.append(
            {
                "label": _("You can still correct your commission"),
                "detail": _("until the submission deadline"),
                "when": call.deadline,
                "all_day": False,
                "yours": True,
            }
        )
    if status in PENDING:
        decided = call.review_deadline or call.deadline
        steps.append(
            {
                "label": _("The coordinators choose the commissions"),
                "detail": _("you are told the decision by e-mail, after this date"),
                "when": max(decided, call.deadline),
                "all_day": False,
                "yours": False,
            }
        )
    if status not in (Commission.Status.DECLINED, Commission.Status.WITHDRAWN):
        for kd in (
            KeyDate.objects.filter(call=call, starts_at__gte=now)
            .exclude(kind=KeyDate.Kind.DEADLINE)
            .order_by("starts_at", "pk")[:limit]
        ):
            steps.append(
                {
                    "label": kd.label,
                    "detail": kd.location,
                    "when": kd.starts_at,
                    "all_day": kd.all_day,
                    "yours": kd.actor == KeyDate.Actor.INSTITUTION,
                    "actor": kd.get_actor_display(),
                }
            )
    steps.sort(key=lambda s: s["when"])
    return steps[:limit]
