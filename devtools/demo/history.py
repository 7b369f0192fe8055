"""Synthetic history: finished years of a programme, each with its submissions, reviews,
selection, students' rankings, teams, milestones, feedback (and survey answers once the
surveys exist). Deterministic (seeded); written with bulk inserts so that ten years of two
hundred submissions load in seconds. Used by load_demo, bench_analytics and the tests.
"""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from commissions.models import (
    Call,
    Commission,
    CommissionType,
    Criterion,
    Institution,
    InterventionContext,
    KeyDate,
    Review,
    ReviewAssignment,
    Sector,
)
from insights.models import OralFeedback, PeerRating, SurveyAnswer
from mias.signals import written
from teams.models import Feedback, Milestone, Preference, Student, Supervisor, Team

LEARNT = [
    "Mener un entretien avec des professionnel·les de terrain.",
    "Traduire une demande floue en question de recherche.",
    "Travailler en équipe sous contrainte de temps.",
    "Présenter des recommandations à une direction.",
    "Articuler théorie et pratique de l'intervention sociale.",
]
ORGS = [
    "Maison de quartier", "CPAS", "Lire et Écrire", "Service d'aide à la jeunesse",
    "Centre de santé mentale", "Maison médicale", "Restaurant social", "AMO",
    "Centre culturel", "Entreprise de formation", "Service d'insertion", "Maison d'accueil",
    "Planning familial", "Épicerie sociale", "Club de prévention", "Agence immobilière sociale",
]  # fmt: skip
REVIEWERS = [("Marie", "Lambert"), ("Jean", "Dufour"), ("Sofia", "Benali")]
CITIES = ["Namur", "Charleroi", "Liège", "Mons", "Wavre", "Louvain-la-Neuve", "Bruxelles"]
TOPICS = [
    "l'accueil des nouveaux publics", "la participation des usagers", "le non-recours aux droits",
    "l'absentéisme en formation", "la coordination du réseau", "l'évaluation d'un projet pilote",
    "la fidélisation des bénévoles", "l'accès au logement", "la communication avec les familles",
    "la faisabilité d'une nouvelle antenne",
]  # fmt: skip
# (kind, label, days after the deadline, who acts, due step with something to hand in)
STEPS = [
    (
        KeyDate.Kind.PRESENTATION,
        "Présentation des commandes aux étudiant·es",
        200,
        "coordinator",
        "",
    ),
    (
        KeyDate.Kind.CLARIFICATION,
        "Réunion de clarification de la demande dans l'institution",
        208,
        "institution",
        "",
    ),
    (KeyDate.Kind.REPORT, "Envoi du rapport de mission à l'institution", 361, "students", "report"),
    (
        KeyDate.Kind.FEEDBACK,
        "Rencontre de feed-back sur le rapport de mission",
        375,
        "institution",
        "",
    ),
    (
        KeyDate.Kind.ORAL,
        "Présentation orale des résultats dans l'institution (option jeudi)",
        396,
        "students",
        "presentation",
    ),
    (KeyDate.Kind.END, "Fin du laboratoire", 422, "coordinator", ""),
]
# How late each step tends to be, in days (mean): reports are late, meetings rarely.
LATENESS = {"presentation": 0, "clarification": 2, "report": 5, "feedback": 3, "oral": 0}


def _aware(year, month, day, hour=12):
    return timezone.make_aware(datetime(year, month, day, hour))


@transaction.atomic
def build_history(
    programme, first_year, years, per_year=25, places=10, seed=16, prefix="h", institutions=()
):
    """`years` finished calls from `first_year` on; returns them, oldest first.

    `institutions` already known join the pool, so that some come back in later years."""
    rng = random.Random(seed)
    sectors = list(Sector.objects.all())
    types = list(CommissionType.objects.all())
    contexts = list(InterventionContext.objects.all())
    if not (sectors and types and contexts):
        raise ValueError("build_history needs the vocabularies (sectors, types, contexts)")
    # Sectors answer unevenly: a few often, some rarely; housing-like sectors seldom selected.
    sector_weights = [rng.choice([1, 2, 3, 5]) for _ in sectors]
    User = get_user_model()
    reviewers = [
        User.objects.get_or_create(
            username=f"{prefix}-reviewer-{i}",
            defaults={
                "email": f"{prefix}-r{i}@mias.example",
                "first_name": first,
                "last_name": last,
            },
        )[0]
        for i, (first, last) in enumerate(REVIEWERS)
    ]
    pool = [
        Institution(
            name=f"{ORGS[i % len(ORGS)]} {CITIES[i % len(CITIES)]} {i // len(ORGS) + 1}",
            legal_form="asbl",
            sector=rng.choices(sectors, sector_weights)[0],
            address=f"Rue {i + 1}",
            city=CITIES[i % len(CITIES)],
        )
        for i in range(int(per_year * 2.2))
    ]
    pool = Institution.objects.bulk_create(pool) + list(institutions)
    calls = []
    for offset in range(years):
        calls.append(
            _build_year(
                programme, first_year + offset, per_year, places, rng, pool, sectors,
                sector_weights, types, contexts, reviewers, prefix,
            )
        )  # fmt: skip
    # Bulk inserts send no model signal: what is cached from these tables is stale.
    written(Commission, Review, Team, Student, Preference, Feedback, SurveyAnswer)
    return calls


def _build_year(
    programme, year, per_year, places, rng, pool, sectors, weights, types, contexts, reviewers,
    prefix,
):  # fmt: skip
    academic_year = f"{year}-{year + 1}"
    deadline = _aware(year, 3, 28, 23)
    call = Call.objects.create(
        programme=programme,
        academic_year=academic_year,
        slug=f"{programme.slug}-{academic_year}"[:50],
        title=f"Recherche de consultances {academic_year}",
        opens_at=deadline - timedelta(days=60),
        deadline=deadline,
        places=places,
        status=Call.Status.ARCHIVED,
        reminders_enabled=False,
    )
    key_dates = KeyDate.objects.bulk_create(
        [
            KeyDate(
                call=call,
                kind=kind,
                label=label,
                starts_at=deadline + timedelta(days=days),
                actor=actor,
                all_day=kind == KeyDate.Kind.END,
            )
            for kind, label, days, actor, _deliverable in STEPS
        ]
    )
    criteria = Criterion.objects.bulk_create(
        [
            Criterion(call=call, label="Problématique d'ingénierie sociale", weight=2, order=0),
            Criterion(call=call, label="Disponibilité de l'institution", order=1),
        ]
    )
    count = max(places, per_year + rng.randint(-3, 3))
    institutions = rng.sample(pool, min(count, len(pool)))
    code = f"{programme.short_name[:6].upper().replace(' ', '')}-{year}-"
    commissions = []
    for i, institution in enumerate(institutions):
        # Arrivals bunch up before the deadline: most in the last two weeks.
        hours_before = int(rng.expovariate(1 / 200)) + 1
        sector = institution.sector if rng.random() < 0.8 else rng.choices(sectors, weights)[0]
        commissions.append(
            Commission(
                call=call,
                reference=f"{code}{i + 1:03d}",
                institution=institution,
                contact_name=f"Contact {institution.pk}",
                contact_role="Direction",
                contact_email=f"{prefix}-contact-{institution.pk}@inst.example",
                contact_phone="081 00 00 00",
                title=f"{rng.choice(TOPICS).capitalize()} ({institution.name})",
                question=f"Comment améliorer {rng.choice(TOPICS)} ?",
                context="Contexte de l'institution.",
                expected_outcome="Des recommandations.",
                sector=sector,
                commission_type=rng.choice(types),
                intervention_context=rng.choice(contexts),
                languages=["fr"],
                status=Commission.Status.DECLINED,
                library_consent=rng.random() < 0.6,
                submitted_at=deadline - timedelta(hours=min(hours_before, 24 * 59)),
            )
        )
    for c in rng.sample(commissions, min(places, len(commissions))):
        c.status = Commission.Status.SELECTED
    rest = [c for c in commissions if c.status != Commission.Status.SELECTED]
    for position, c in enumerate(rest[:3], start=1):
        c.status, c.waitlist_position = Commission.Status.WAITLISTED, position
    if len(rest) > 4:
        rest[-1].status = Commission.Status.WITHDRAWN
    commissions = Commission.objects.bulk_create(commissions)
    _reviews(commissions, criteria, reviewers, rng)
    selected = [c for c in commissions if c.status == Commission.Status.SELECTED]
    _teams(call, selected, key_dates, rng, prefix)
    return call


def _reviews(commissions, criteria, reviewers, rng):
    assignments, reviews = [], []
    for c in commissions:
        if c.status == Commission.Status.WITHDRAWN:
            continue
        merit = 3 if c.status == Commission.Status.SELECTED else rng.choice([1, 2, 2, 3])
        for reviewer in rng.sample(reviewers, 2):
            assignments.append(
                ReviewAssignment(commission=c, reviewer=reviewer, submitted_at=c.submitted_at)
            )
            for criterion in criteria:
                score = max(0, min(4, merit + rng.choice([-1, 0, 0, 1])))
                reviews.append(
                    Review(commission=c, reviewer=reviewer, criterion=criterion, score=score)
                )
    ReviewAssignment.objects.bulk_create(assignments)
    Review.objects.bulk_create(reviews)


def _teams(call, selected, key_dates, rng, prefix):
    User = get_user_model()
    year = call.academic_year[:4]
    n_students = len(selected) * 5
    users = User.objects.bulk_create(
        [
            User(
                username=f"{prefix}-{year}-s{i}",
                email=f"{prefix}-{year}-s{i}@student.example",
                first_name=f"Étudiant·e {i + 1}",
                last_name=year,
                password="!",
            )
            for i in range(n_students)
        ]
        + [
            User(
                username=f"{prefix}-{year}-sup{i}",
                email=f"{prefix}-{year}-sup{i}@mias.example",
                first_name=f"Accompagnant·e {i + 1}",
                last_name=year,
                password="!",
            )
            for i in range((len(selected) + 1) // 2)
        ]
    )
    student_users, supervisor_users = users[:n_students], users[n_students:]
    supervisors = Supervisor.objects.bulk_create(
        [Supervisor(call=call, user=u, capacity=2) for u in supervisor_users]
    )
    published = call.deadline + timedelta(days=195)
    teams = Team.objects.bulk_create(
        [
            Team(call=call, commission=c, supervisor=supervisors[i // 2], published_at=published)
            for i, c in enumerate(selected)
        ]
    )
    students = Student.objects.bulk_create(
        [
            Student(
                call=call,
                user=u,
                prior_studies="Sociologie",
                team=teams[i % len(teams)],
                ranked_at=published - timedelta(days=5),
            )
            for i, u in enumerate(student_users)
        ]
    )
    preferences = []
    for s in students:
        # Most students get their first or second choice.
        got = rng.choices([1, 2, 3, 4, 5], [55, 25, 10, 6, 4])[0]
        others = [t.commission for t in teams if t.pk != s.team_id]
        rng.shuffle(others)
        order = others[: got - 1] + [s.team.commission] + others[got - 1 :]
        preferences += [
            Preference(student=s, commission=c, rank=r) for r, c in enumerate(order, start=1)
        ]
    Preference.objects.bulk_create(preferences)
    milestones = []
    deliverables = {kind: d for kind, _l, _d, _a, d in STEPS}
    for team in teams:
        for kd in key_dates:
            if kd.kind == KeyDate.Kind.END:
                continue
            late = max(0.0, rng.gauss(LATENESS.get(kd.kind, 0), 2)) if rng.random() < 0.4 else 0
            milestones.append(
                Milestone(
                    team=team,
                    key_date=kd,
                    starts_at=kd.starts_at,
                    due_at=kd.starts_at,
                    deliverable=deliverables[kd.kind],
                    done_at=kd.starts_at + timedelta(days=late),
                )
            )
    Milestone.objects.bulk_create(milestones)
    Feedback.objects.bulk_create(
        [
            Feedback(
                team=t,
                usefulness=rng.choices([2, 3, 4, 5], [1, 3, 5, 3])[0],
                improve="Plus de contacts avec le terrain.",
                submitted_at=call.deadline + timedelta(days=380),
            )
            for t in teams
            if rng.random() < 0.85
        ]
    )
    _surveys(call, teams, students, rng)
    return teams


def _surveys(call, teams, students, rng):
    """Most students answer the survey and rate their teammates; institutions the oral."""
    answered = [s for s in students if rng.random() < 0.8]
    at = call.deadline + timedelta(days=410)
    SurveyAnswer.objects.bulk_create(
        [
            SurveyAnswer(
                student=s,
                call=call,
                team_id=s.team_id,
                commission_rating=rng.choices([2, 3, 4, 5], [1, 3, 5, 3])[0],
                supervisor_rating=rng.choices([2, 3, 4, 5], [1, 2, 5, 4])[0],
                team_rating=rng.choices([1, 2, 3, 4, 5], [1, 1, 3, 5, 3])[0],
                satisfaction=rng.choices([2, 3, 4, 5], [1, 3, 6, 3])[0],
                learnt=rng.choice(LEARNT),
                answered_at=at,
            )
            for s in answered
        ]
    )
    by_team = {}
    for s in students:
        by_team.setdefault(s.team_id, []).append(s)
    PeerRating.objects.bulk_create(
        [
            PeerRating(rater=s, peer=mate, score=rng.choices([2, 3, 4, 5], [1, 2, 5, 3])[0])
            for s in answered
            for mate in by_team[s.team_id]
            if mate.pk != s.pk
        ]
    )
    OralFeedback.objects.bulk_create(
        [
            OralFeedback(team=t, usefulness=rng.choices([3, 4, 5], [2, 5, 3])[0], submitted_at=at)
            for t in teams
            if rng.random() < 0.7
        ]
    )
