"""Demo cohort: the year in progress, its ten selected commissions, students and supervisors.

Called by ``load_demo``; deterministic (seeded) and idempotent.
"""

import random
from datetime import time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from commissions.models import Call, Commission, CommissionEvent, copy_call
from teams.models import Milestone, Preference, Student, Supervisor

FIRST_NAMES = [
    "Amina", "Louis", "Chloé", "Mehdi", "Sarah", "Thomas", "Inès", "Julien", "Camille", "Yanis",
    "Léa", "Hugo", "Fatima", "Arthur", "Manon", "Karim", "Zoé", "Noah", "Elif", "Lucas",
    "Aïcha", "Victor", "Jeanne", "Bilal", "Clara",
]  # fmt: skip
LAST_NAMES = [
    "Lambert", "Dubois", "Peeters", "El Amrani", "Janssens", "Martin", "Maes", "Leroy",
    "Nguyen", "Claes", "Dumont", "Mertens", "Diallo", "Simon", "Wouters", "Laurent",
    "Goossens", "Renard", "Kaya", "Lejeune",
]  # fmt: skip
BACKGROUNDS = ["Sociologie", "Psychologie", "Droit", "Sciences économiques", "Travail social"]
SUPERVISORS = [
    ("Claire", "Vandamme"), ("Marc", "Delvaux"), ("Nadia", "Benali"), ("Pierre", "Hennebert"),
    ("Sophie", "Collard"), ("Olivier", "Gérard"), ("Anne", "Thiry"), ("Bruno", "Lemaire"),
]  # fmt: skip
STUDENTS = 52
NOT_RANKED = 4
DEMO_STUDENT = ("etudiante", "mias-student-2024")  # listed in load_demo's LOGINS
DEMO_SUPERVISOR = "accompagnatrice"


def _user(username, email, first, last, password=None):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"email": email, "first_name": first, "last_name": last}
    )
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    return user


@transaction.atomic
def load_cohort(past_call, open_call, stage="running"):
    """The call of the year before the open one: its teams at work, or still ranking."""
    start = int(past_call.academic_year[:4])
    current = int(open_call.academic_year[:4]) - 1
    if current <= start:
        return None  # the seed call is itself the year in progress
    now = timezone.now()
    year = f"{current}-{current + 1}"
    call = Call.objects.filter(programme=past_call.programme, academic_year=year).first()
    if call is not None:
        return call
    call = copy_call(past_call, current - start, status=Call.Status.SELECTING)
    call.preferences_deadline = (now + timedelta(days=7)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    call.save(update_fields=["preferences_deadline"])
    rng = random.Random(2024)
    source = list(past_call.commissions.order_by("reference")[: call.places])
    selected = []
    for index, old in enumerate(source):
        commission = Commission.objects.create(
            call=call,
            institution=old.institution,
            contact_name=old.contact_name,
            contact_role=old.contact_role,
            contact_email=old.contact_email,
            contact_phone=old.contact_phone,
            title=old.title,
            question=old.question,
            context=old.context,
            expected_outcome=old.expected_outcome,
            resources=old.resources,
            sector=old.sector,
            commission_type=old.commission_type,
            intervention_context=old.intervention_context,
            languages=["fr", "nl"] if index % 4 == 3 else ["fr"],
            accepted_commitments=old.accepted_commitments,
            consent_text=old.consent_text,
            consent_at=call.opens_at,
            submitted_at=call.opens_at + timedelta(days=index),
        )
        commission.record(CommissionEvent.Kind.CREATED, actor_label="demo")
        commission.set_status(Commission.Status.SELECTED, actor_label="demo")
        selected.append(commission)
    # Popular commissions are popular for everyone: a skewed, realistic demand.
    weights = {
        c.pk: 1.0 / (i + 1) ** 0.7 for i, c in enumerate(rng.sample(selected, len(selected)))
    }
    students = []
    for i in range(STUDENTS):
        first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[(i * 7) % len(LAST_NAMES)]
        if i == 0:
            user = _user(DEMO_STUDENT[0], "etudiante@demo.mias.example", "Amina", "Lambert",
                         DEMO_STUDENT[1])  # fmt: skip
        else:
            email = f"etudiant{i:02d}@demo.mias.example"
            user = _user(email, email, first, last)
        languages = (
            ["fr"]
            + (["en"] if rng.random() < 0.7 else [])
            + (["nl"] if rng.random() < 0.25 else [])
        )
        student = Student.objects.create(
            call=call,
            user=user,
            prior_studies=BACKGROUNDS[i % len(BACKGROUNDS)],
            languages=languages,
            invited_at=now - timedelta(days=40),
        )
        students.append(student)
        if 0 < i <= NOT_RANKED:
            continue
        keys = {pk: rng.random() ** (1.0 / w) for pk, w in weights.items()}
        order = sorted(keys, key=keys.get, reverse=True)
        Preference.objects.bulk_create(
            Preference(student=student, commission_id=pk, rank=r)
            for r, pk in enumerate(order, start=1)
        )
        student.ranked_at = now - timedelta(days=rng.randint(0, 5))
        student.save(update_fields=["ranked_at"])
    # Two pairs of friends who asked for each other and ranked alike.
    for a, b in ((students[5], students[6]), (students[10], students[11])):
        a.wishes.add(b)
        b.wishes.add(a)
        Preference.objects.filter(student=b).delete()
        Preference.objects.bulk_create(
            Preference(student=b, commission_id=p.commission_id, rank=p.rank)
            for p in a.preferences.all()
        )
    sectors = sorted({c.sector for c in selected}, key=lambda s: s.pk)
    for i, (first, last) in enumerate(SUPERVISORS):
        if i == 0:
            user = get_user_model().objects.filter(username=DEMO_SUPERVISOR).first() or _user(
                DEMO_SUPERVISOR, "accompagnatrice@mias.example", first, last
            )
        else:
            email = f"{first.lower()}.{last.lower()}@demo.mias.example".replace("é", "e")
            user = _user(email, email, first, last)
        supervisor = Supervisor.objects.create(
            call=call, user=user, capacity=2 if i < 4 else 1, invited_at=now - timedelta(days=40)
        )
        supervisor.sectors.set({sectors[i % len(sectors)], sectors[(i + 3) % len(sectors)]})
    if stage == "running":
        follow_year(call)
    return call


# A one-page PDF, so that the demo's documents open in any reader.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 58>>stream\nBT /F1 18 Tf 72 760 Td (Note de cadrage - demo MIAS) Tj ET\n"
    b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def follow_year(call):
    """Teams formed and published in October; the year under way, as on a day in November.

    The presentation is done for every team, the clarification meeting for all but one (late
    on the board), a framing note is due in six days (four teams have sent it) and the
    supervisors have a check-point next month.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    from commissions.models import KeyDate
    from teams.follow import following
    from teams.forming import allocating

    coordinator = get_user_model().objects.get(username="coordination")
    run = allocating.run_allocation(call, coordinator)
    allocating.apply_run(run, coordinator)
    # The demo publishes as the coordinator would, confirming an open ranking if any.
    allocating.publish(call, coordinator, accept_warnings=True, before_deadline=True)
    now = timezone.now()
    presentation = call.key_dates.filter(kind=KeyDate.Kind.PRESENTATION).first()
    published = min(now, presentation.starts_at) if presentation else now
    call.teams.update(published_at=published - timedelta(days=2))
    call.preferences_deadline = published - timedelta(days=5)
    call.save(update_fields=["preferences_deadline"])
    today = timezone.localdate()
    following.add_call_milestone(
        call, coordinator, "Remise de la note de cadrage",
        following.local_start(today + timedelta(days=6)), KeyDate.Actor.STUDENTS,
        deliverable="document",
    )  # fmt: skip
    following.add_call_milestone(
        call, coordinator, "Point d'étape avec l'accompagnateur·rice",
        following.local_start(today + timedelta(days=24), time(14)), KeyDate.Actor.SUPERVISOR,
        location="Rue de l'Hocaille 10, 1348 Louvain-la-Neuve",
    )  # fmt: skip
    teams = list(call.teams.select_related("supervisor__user").with_members().order_by("pk"))
    for index, team in enumerate(teams):
        items = {m.key_date.kind: m for m in team.milestones.select_related("key_date")}
        for kind in (KeyDate.Kind.PRESENTATION, KeyDate.Kind.CLARIFICATION):
            m = items.get(kind)
            if m and m.due_at <= now and not (kind == KeyDate.Kind.CLARIFICATION and index == 3):
                following.set_done(m, team.supervisor.user if team.supervisor else coordinator)
                Milestone.objects.filter(pk=m.pk).update(done_at=m.due_at)  # on the day
        note = team.milestones.filter(key_date__label="Remise de la note de cadrage").first()
        if note and index % 3 == 0:
            author = team.members.all()[0].user
            following.add_deliverable(
                note, SimpleUploadedFile("note-de-cadrage.pdf", DEMO_PDF), author
            )
