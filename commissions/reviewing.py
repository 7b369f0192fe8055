"""Aggregates of reviewer scores; the pure part takes plain rows and returns plain data."""

from dataclasses import dataclass, field

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


def call_aggregates(call):
    """Aggregates for every commission of a call, in two queries."""
    from .models import Criterion, Review

    criteria = [
        CriterionSpec(c.pk, float(c.weight), c.scale_min, c.scale_max, c.eliminatory)
        for c in call.criteria.filter(kind=Criterion.Kind.REVIEWER)
    ]
    rows = Review.objects.filter(commission__call=call).values_list(
        "commission_id", "reviewer_id", "criterion_id", "score"
    )
    return aggregate(rows, criteria)
