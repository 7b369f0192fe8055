"""A student's ranking of the selected commissions and their wished teammates."""

import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mias.ids import parse_id
from teams.models import Preference, Student


class RankingError(ValueError):
    pass


def ranked_order(student, commissions):
    """The commissions in the student's order; never ranked: a shuffle fixed per student,
    so that no commission gains from being listed first."""
    ranks = dict(student.preferences.values_list("commission_id", "rank"))
    if ranks:
        return sorted(commissions, key=lambda c: (ranks.get(c.pk, len(ranks) + 1), c.reference))
    order = sorted(commissions, key=lambda c: c.reference)
    random.Random(student.pk).shuffle(order)
    return order


def parse_order(data, commissions):
    """The order posted by the page: "order" (the script's list of ids) or one number per
    commission ("rank-<id>", without the script). Every commission exactly once."""
    pks = [c.pk for c in commissions]
    if data.get("order"):
        try:
            order = [int(x) for x in data["order"].split(",")]
        except ValueError:
            raise RankingError(_("The ranking could not be read: reload the page.")) from None
    else:
        numbers = {}
        for pk in pks:
            number = parse_id(data.get(f"rank-{pk}"))
            if number is None or not 1 <= number <= len(pks):
                raise RankingError(
                    _("Give each commission a number from 1 to %(count)d.") % {"count": len(pks)}
                )
            numbers[pk] = number
        if len(set(numbers.values())) != len(pks):
            raise RankingError(
                _("Each number from 1 to %(count)d must be used once.") % {"count": len(pks)}
            )
        order = sorted(pks, key=numbers.get)
    if sorted(order) != sorted(pks):
        raise RankingError(_("The list of commissions changed: reload the page."))
    return order


def save_ranking(student, order):
    with transaction.atomic():
        Preference.objects.filter(student=student).delete()
        Preference.objects.bulk_create(
            Preference(student=student, commission_id=pk, rank=rank)
            for rank, pk in enumerate(order, start=1)
        )
        student.ranked_at = timezone.now()
        student.save(update_fields=["ranked_at"])


def save_wishes(student, wished):
    wished = [w for w in dict.fromkeys(wished) if w is not None and w.pk != student.pk]
    if len(wished) > Student.MAX_WISHES:
        raise RankingError(_("Name at most %(count)d classmates.") % {"count": Student.MAX_WISHES})
    student.wishes.set(wished)
