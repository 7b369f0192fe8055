"""Aggregates of reviewer scores; the pure part takes plain rows and returns plain data."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commissions.models import (
    Commission,
    CommissionEvent,
    Criterion,
    PastConsultancy,
    Review,
    ReviewAssignment,
    SelectionRun,
)
from commissions.similarity import similar_to

MERIT_SCALE = 4.0  # merits are put on 0–4 whatever each criterion's scale


@dataclass
class CriterionSpec:
    id: int
    weight: float
    scale_min: int
    scale_max: int
    eliminatory: bool = False


@dataclass
class Aggregate:
    merit: float | None = None
    spread: float = 0.0
    count: int = 0
    eligible: bool = True
    per_criterion: dict = field(default_factory=dict)  # criterion id -> mean score
    eliminated_by: list = field(default_factory=list)  # reviewer ids who gave the lowest


def _normalised(score, spec):
    span = spec.scale_max - spec.scale_min
    return (score - spec.scale_min) / span if span else 0.0


def aggregate(rows, criteria):
    """rows: (commission_id, reviewer_id, criterion_id, score); criteria: CriterionSpec list.

    Merit is the weighted mean of the criteria's mean scores, on 0–4. A lowest score on an
    eliminatory criterion, from any reviewer, makes the commission ineligible.
    """
    specs = {c.id: c for c in criteria}
    total_weight = sum(c.weight for c in criteria) or 1.0
    by_commission = {}
    for commission_id, reviewer_id, criterion_id, score in rows:
        if criterion_id in specs:
            by_commission.setdefault(commission_id, []).append((reviewer_id, criterion_id, score))
    result = {}
    for commission_id, scores in by_commission.items():
        agg = Aggregate()
        per_criterion, per_reviewer = {}, {}
        for reviewer_id, criterion_id, score in scores:
            spec = specs[criterion_id]
            per_criterion.setdefault(criterion_id, []).append(score)
            per_reviewer.setdefault(reviewer_id, {})[criterion_id] = score
            if spec.eliminatory and score <= spec.scale_min:
                agg.eliminated_by.append(reviewer_id)
        agg.per_criterion = {cid: sum(v) / len(v) for cid, v in per_criterion.items()}
        agg.merit = (
            MERIT_SCALE
            * sum(
                specs[cid].weight * _normalised(mean, specs[cid])
                for cid, mean in agg.per_criterion.items()
            )
            / total_weight
        )
        reviewer_merits = [
            MERIT_SCALE
            * sum(specs[cid].weight * _normalised(s, specs[cid]) for cid, s in given.items())
            / total_weight
            for given in per_reviewer.values()
        ]
        agg.spread = max(reviewer_merits) - min(reviewer_merits)
        agg.count = len(per_reviewer)
        agg.eligible = not agg.eliminated_by
        result[commission_id] = agg
    return result


def standings(rows, call_of, specs):
    """`aggregate` over commissions of several calls at once.

    rows: as `aggregate` takes them; call_of: commission id -> call id; specs: call id -> the
    call's CriterionSpec list (`criteria_specs_of`).
    """
    by_call = {}
    for row in rows:
        by_call.setdefault(call_of[row[0]], []).append(row)
    result = {}
    for call_id, call_rows in by_call.items():
        result.update(aggregate(call_rows, specs.get(call_id, [])))
    return result


def criteria_specs(call):
    """The call's reviewer criteria, as the aggregates need them."""
    return criteria_specs_of(call.criteria.filter(kind=Criterion.Kind.REVIEWER)).get(call.pk, [])


def criteria_specs_of(criteria):
    """call id -> the specs of these criteria (a queryset), in the criteria's order."""
    specs = {}
    for c in criteria:
        specs.setdefault(c.call_id, []).append(
            CriterionSpec(c.pk, float(c.weight), c.scale_min, c.scale_max, c.eliminatory)
        )
    return specs


def call_aggregates(call, commission_ids=None, specs=None):
    """Aggregates for the commissions of a call (all, or those named), in two queries
    (one when the call's `criteria_specs` are given)."""
    criteria = criteria_specs(call) if specs is None else specs
    reviews = Review.objects.filter(commission__call=call)
    if commission_ids is not None:
        reviews = reviews.filter(commission_id__in=commission_ids)
    rows = reviews.values_list("commission_id", "reviewer_id", "criterion_id", "score")
    return aggregate(rows, criteria)


class ScoresFrozen(Exception):
    """The selection decisions are applied: the scores that led to them stay as they were."""


def record_review_submission(commission, user, scores, comments):
    """Save one reviewer's scores on every reviewer criterion of the commission."""
    with transaction.atomic():
        if SelectionRun.objects.filter(
            call_id=commission.call_id, confirmed_at__isnull=False
        ).exists():
            raise ScoresFrozen
        for criterion_id, score in scores.items():
            Review.objects.update_or_create(
                commission=commission,
                reviewer=user,
                criterion_id=criterion_id,
                defaults={"score": score, "comment": comments.get(criterion_id, "")},
            )
        assignment, _created = ReviewAssignment.objects.get_or_create(
            commission=commission, reviewer=user
        )
        if assignment.submitted_at is None:
            assignment.submitted_at = timezone.now()
            assignment.save(update_fields=["submitted_at"])
        if commission.status == Commission.Status.SUBMITTED:
            commission.set_status(Commission.Status.UNDER_REVIEW, actor=user)
        else:
            commission.record(CommissionEvent.Kind.EDITED, actor=user, message=_("Scores entered"))
    return assignment


def progress(assignments, key):
    """(done, total) reviews per key(assignment)."""
    counts = {}
    for assignment in assignments:
        done, total = counts.get(key(assignment), (0, 0))
        counts[key(assignment)] = (done + (assignment.submitted_at is not None), total + 1)
    return counts


def similar_commissions(commission):
    """Near problems of this year and of the past, for the commission's page."""
    text = f"{commission.title} {commission.question}"
    this_year = list(
        Commission.objects.filter(call=commission.call)
        .exclude(pk=commission.pk)
        .values_list("pk", "reference", "title", "question")
    )
    by_pk = {row[0]: row for row in this_year}
    near = [
        {"reference": by_pk[pk][1], "title": by_pk[pk][2], "score": round(score)}
        for pk, score in similar_to(text, [(r[0], f"{r[2]} {r[3]}") for r in this_year], limit=5)
    ]
    past_rows = [
        (f"p{p.pk}", p.summary, str(p.sector), p.academic_year)
        for p in PastConsultancy.objects.filter(
            programme=commission.call.programme_id
        ).select_related("sector")
    ]
    past_rows += [
        (f"c{pk}", f"{title} — {question}", ref, year)
        for pk, ref, title, question, year in Commission.objects.filter(
            call__programme=commission.call.programme_id,
            call__opens_at__lt=commission.call.opens_at,
        ).values_list("pk", "reference", "title", "question", "call__academic_year")[:5000]
    ]
    by_key = {row[0]: row for row in past_rows}
    past = [
        {
            "summary": by_key[key][1],
            "label": by_key[key][2],
            "year": by_key[key][3],
            "score": round(score),
        }
        for key, score in similar_to(text, [(r[0], r[1]) for r in past_rows], limit=5)
    ]
    return near, past
