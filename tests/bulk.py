"""A call with many scored submissions, built in a few bulk inserts (coordinator pages at size).

`many_submissions(call, vocab, count)` gives `count` commissions of distinct institutions, each
assigned to the same reviewers, most of them scored (deterministic pseudo-random scores), and
two e-mails each in the outbox; the same shape at 3 and at 2,000 submissions.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from commissions.models import (
    Commission,
    Criterion,
    Email,
    Institution,
    Review,
    ReviewAssignment,
)
from mias.signals import written

WORDS = ["jeunesse", "logement", "santé", "emploi", "culture", "réseau", "hiver", "bénévolat"]
STATUSES = [
    Commission.Status.SUBMITTED,
    Commission.Status.UNDER_REVIEW,
    Commission.Status.UNDER_REVIEW,
    Commission.Status.WAITLISTED,
    Commission.Status.WITHDRAWN,
]


def reviewer_criteria(call):
    """The call's reviewer criteria, with a second one on another scale and weight."""
    if not call.criteria.filter(kind=Criterion.Kind.REVIEWER, scale_min=1).exists():
        Criterion.objects.create(
            call=call, label="Disponibilité", weight=1, scale_min=1, scale_max=5, order=1
        )
    return list(call.criteria.filter(kind=Criterion.Kind.REVIEWER))


def many_submissions(call, vocab, count, reviewers=3, seed=14, emails=True):
    rng = random.Random(seed)
    now = timezone.now()
    criteria = reviewer_criteria(call)
    User = get_user_model()
    people = [
        User.objects.get_or_create(
            username=f"bulk-rev-{i}", defaults={"email": f"bulk-rev-{i}@x.example"}
        )[0]
        for i in range(reviewers)
    ]
    start = Commission.objects.count()
    institutions = Institution.objects.bulk_create(
        Institution(
            name=f"{WORDS[i % len(WORDS)].capitalize()} asbl {start + i:05d}",
            legal_form="asbl",
            sector=vocab["sectors"][i % len(vocab["sectors"])],
            address="Rue 1",
            city="Namur",
        )
        for i in range(count)
    )
    commissions = Commission.objects.bulk_create(
        Commission(
            call=call,
            reference=f"B-{start + i:05d}",
            institution=institutions[i],
            contact_name=f"Contact {i}",
            contact_role="Direction",
            contact_email=f"c{start + i}@x.example",
            contact_phone="0",
            title=f"Problème {start + i} : {WORDS[i % len(WORDS)]} et {WORDS[(i * 3) % 7]}",
            question=f"Question {i} ?",
            context="c",
            expected_outcome="e",
            sector=vocab["sectors"][i % len(vocab["sectors"])],
            commission_type=vocab["types"][i % len(vocab["types"])],
            intervention_context=vocab["contexts"][(i // 2) % len(vocab["contexts"])],
            languages=["fr"],
            status=STATUSES[i % len(STATUSES)],
            submitted_at=now - timedelta(minutes=7 * i),
        )
        for i in range(count)
    )
    assignments, reviews = [], []
    for commission in commissions:
        for person in people:
            scored = rng.random() < 0.8
            assignments.append(
                ReviewAssignment(
                    commission=commission,
                    reviewer=person,
                    submitted_at=now if scored else None,
                )
            )
            if scored:
                reviews += [
                    Review(
                        commission=commission,
                        reviewer=person,
                        criterion=criterion,
                        score=rng.randint(criterion.scale_min, criterion.scale_max),
                    )
                    for criterion in criteria
                ]
    ReviewAssignment.objects.bulk_create(assignments)
    Review.objects.bulk_create(reviews)
    written(Review)  # the stored merits follow, as after a reviewer's form
    if emails:
        Email.objects.bulk_create(
            Email(
                key=f"bulk:{commission.pk}:{kind}",
                kind=kind,
                to=commission.contact_email,
                commission=commission,
                call=commission.call,
                status=Email.Status.SENT if n % 3 else Email.Status.QUEUED,
                sent_at=now if n % 3 else None,
                body="Bonjour,\n" + "texte du message. " * 40,
            )
            for n, commission in enumerate(commissions)
            for kind in ("confirmation", "link")
        )
    return commissions, people
