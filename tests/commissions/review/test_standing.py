"""Each commission's stored merit and spread stay what its scores give, whatever changes them."""

import random

import pytest
from bulk import many_submissions

from commissions.models import Commission, Criterion, Review
from commissions.review.reviewing import call_aggregates, record_review_submission
from commissions.review.standing import restand

pytestmark = pytest.mark.django_db


def stored(call):
    return {
        pk: (merit, spread)
        for pk, merit, spread in Commission.objects.filter(call=call).values_list(
            "pk", "merit", "spread"
        )
    }


def computed(call):
    aggregates = call_aggregates(call)
    return {
        pk: (aggregates[pk].merit, aggregates[pk].spread) if pk in aggregates else (None, None)
        for pk in Commission.objects.filter(call=call).values_list("pk", flat=True)
    }


def assert_in_step(call):
    now, expected = stored(call), computed(call)
    assert now.keys() == expected.keys()
    for pk, (merit, spread) in expected.items():
        assert now[pk] == (pytest.approx(merit), pytest.approx(spread)), pk


def test_bulk_scores_and_every_later_change_keep_the_stored_standing(call, vocab, coordinator):
    commissions, people = many_submissions(call, vocab, 30, emails=False)
    assert_in_step(call)
    assert sum(merit is not None for merit, _spread in stored(call).values()) > 20
    criteria = list(call.criteria.filter(kind=Criterion.Kind.REVIEWER))
    rng = random.Random(3)
    for step in range(12):
        commission = rng.choice(commissions)
        kind = step % 4
        if kind == 0:  # a reviewer's form, new scores or changed ones
            scores = {c.pk: rng.randint(c.scale_min, c.scale_max) for c in criteria}
            record_review_submission(commission, rng.choice(people + [coordinator]), scores, {})
        elif kind == 1:  # one score edited in the admin
            review = Review.objects.filter(commission__call=call).order_by("?").first()
            review.score = review.criterion.scale_max
            review.save()
        elif kind == 2:  # one score removed
            Review.objects.filter(commission=commission).order_by("pk").first().delete()
        else:  # a criterion reweighted: every merit of the call moves
            criterion = rng.choice(criteria)
            criterion.weight = rng.choice([1, 2, 3])
            criterion.save()
        assert_in_step(call)


def test_a_reviewer_leaving_takes_their_part_of_the_merit(call, vocab, django_user_model):
    commissions, people = many_submissions(call, vocab, 8, reviewers=2, emails=False)
    before = stored(call)
    people[0].delete()
    assert_in_step(call)
    assert stored(call) != before
    people[1].delete()
    assert set(stored(call).values()) == {(None, None)}


def test_a_criterion_moved_to_the_portfolio_or_deleted_leaves_the_merit(call, vocab):
    many_submissions(call, vocab, 10, emails=False)
    criterion = call.criteria.filter(kind=Criterion.Kind.REVIEWER).order_by("pk").first()
    criterion.kind = Criterion.Kind.PORTFOLIO
    criterion.save()
    assert_in_step(call)
    criterion.delete()
    assert_in_step(call)


def test_restand_mends_stale_rows_and_touches_only_what_changed(call, vocab):
    many_submissions(call, vocab, 12, emails=False)
    expected = stored(call)
    Commission.objects.filter(call=call).update(merit=None, spread=99.0)  # stale, past signals
    assert restand(Commission.objects.filter(call=call)) == 12
    assert stored(call) == expected
    assert restand(Commission.objects.filter(call=call)) == 0
