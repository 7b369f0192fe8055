"""Each commission's merit and spread, kept on its own row.

The review table sorts by them: read from the row, a page of 2,000 submissions costs what a
page of 20 does, where computing them from every score grew with the call. The numbers
are `reviewing.aggregate`'s, the one definition; this module writes them again whenever a
score or a criterion changes (the receivers are connected in `CommissionsConfig.ready`).
"""

from django.db.models.signals import post_delete, post_save

from commissions.models import Commission, Criterion, Review
from commissions.review.reviewing import criteria_specs_of, standings
from mias.signals import rows_written


def restand(commissions):
    """Write the merit and spread of these commissions (a queryset) from their scores now.

    Returns how many rows changed. Three reads whatever the number of commissions, and one
    write per 500 rows that changed.
    """
    rows = {
        pk: (call_id, merit, spread)
        for pk, call_id, merit, spread in commissions.order_by().values_list(
            "pk", "call_id", "merit", "spread"
        )
    }
    if not rows:
        return 0
    calls = {call_id for call_id, _merit, _spread in rows.values()}
    specs = criteria_specs_of(
        Criterion.objects.filter(call_id__in=calls, kind=Criterion.Kind.REVIEWER)
    )
    scores = Review.objects.filter(commission__in=commissions.order_by().values("pk"))
    now = standings(
        scores.values_list("commission_id", "reviewer_id", "criterion_id", "score"),
        {pk: call_id for pk, (call_id, _merit, _spread) in rows.items()},
        specs,
    )
    changed = []
    for pk, (_call, merit, spread) in rows.items():
        agg = now.get(pk)
        fresh = (agg.merit, agg.spread) if agg else (None, None)
        if fresh != (merit, spread):
            changed.append(Commission(pk=pk, merit=fresh[0], spread=fresh[1]))
    Commission.objects.bulk_update(changed, ["merit", "spread"], batch_size=500)
    return len(changed)


def score_changed(sender, instance, raw=False, **kwargs):
    """A score was given, changed or removed: its commission's standing follows."""
    if not raw:
        restand(Commission.objects.filter(pk=instance.commission_id))


def criterion_changed(sender, instance, raw=False, **kwargs):
    """A weight, scale or kind changed, or a criterion went: every merit of its call follows."""
    if not raw:
        restand(Commission.objects.filter(call_id=instance.call_id))


def scores_written(sender, **kwargs):
    """Scores or criteria written in bulk (the demo, a benchmark): every standing follows."""
    restand(Commission.objects.all())


def watch():
    """Connect the receivers; `CommissionsConfig.ready` calls it once."""
    for model, receiver in ((Review, score_changed), (Criterion, criterion_changed)):
        uid = f"standing-{model.__name__}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid)
        post_delete.connect(receiver, sender=model, dispatch_uid=uid)
        rows_written.connect(scores_written, sender=model, dispatch_uid=uid)
