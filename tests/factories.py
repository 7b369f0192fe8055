"""Test data builders: a call like the seed's, submissions, cohorts, published teams.

Plain functions (fixtures live in conftest.py); import them with `from factories import …`.
"""

import io
import zipfile
from datetime import timedelta

from django.utils import timezone
from django_q.signing import SignedPackage

from commissions.models import (
    Call,
    Criterion,
    KeyDate,
)

# The smallest file the document checks take for a PDF.
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def queued_tasks(broker):
    """Pop every queued task: [(func path, args, kwargs)]."""
    tasks = []
    while broker.queue_size():
        for task_id, payload in broker.dequeue() or []:
            task = SignedPackage.loads(payload)
            tasks.append((task["func"], task["args"], task["kwargs"]))
            if task_id is not None:
                broker.acknowledge(task_id)
    return tasks


def run_queued(broker):
    """Run the queued tasks here, as a django-q2 worker would; returns their paths."""
    from django.utils.module_loading import import_string

    done = []
    for func, args, kwargs in queued_tasks(broker):
        import_string(func)(*args, **kwargs)
        done.append(func)
    return done


def make_call(programme, slug="mias-2030", opens_delta=-30, deadline_delta=30, **extra):
    now = timezone.now()
    call = Call.objects.create(
        programme=programme,
        academic_year="2030-2031",
        slug=slug,
        title="Recherche de consultances 2030-2031",
        opens_at=now + timedelta(days=opens_delta),
        deadline=now + timedelta(days=deadline_delta),
        status=Call.Status.OPEN,
        contact_email="coord@mias.example",
        **extra,
    )
    start = now + timedelta(days=deadline_delta + 90)
    dates = [
        ("presentation", "Présentation aux étudiant·es", 0, "Présenter sa commande"),
        ("clarification", "Réunion de clarification", 8, "Recevoir l'équipe"),
        ("oral", "Présentation orale (jeudi)", 190, "Accueillir la présentation orale"),
        ("oral", "Présentation orale (vendredi)", 191, "Accueillir la présentation orale"),
        ("end", "Fin du laboratoire", 220, ""),
    ]
    for kind, label, offset, commitment in dates:
        KeyDate.objects.create(
            call=call,
            kind=kind,
            label=label,
            starts_at=start + timedelta(days=offset),
            actor="coordinator" if kind == "end" else "institution",
            commitment=commitment,
        )
    Criterion.objects.create(
        call=call, label="Problématique d'ingénierie sociale", eliminatory=True, weight=2
    )
    Criterion.objects.create(call=call, label="Variété des secteurs", kind="portfolio")
    return call


def valid_submission(call, vocab, **overrides):
    data = {
        "institution_name": "Lire et Écrire Namur",
        "legal_form": "asbl",
        "sector": vocab["sectors"][1].pk,
        "address": "Rue de Bruxelles 1",
        "postal_code": "5000",
        "city": "Namur",
        "website": "https://lee.example",
        "contact_name": "Marie Dupont",
        "contact_role": "Directrice",
        "contact_email": "marie@lee.example",
        "contact_phone": "+32 81 00 00 00",
        "title": "Absentéisme des apprenant·es",
        "question": "Comment réduire l'absentéisme dans nos groupes ?",
        "context": "Nos groupes perdent un tiers des apprenant·es en cours d'année.",
        "commission_type": vocab["types"][0].pk,
        "intervention_context": vocab["contexts"][2].pk,
        "expected_outcome": "Des recommandations concrètes.",
        "resources": "Listes de présence anonymisées.",
        "languages": ["fr"],
        "preferred_presentation": call.key_dates.filter(kind="oral").first().pk,
        "consent": "on",
        "nickname": "",
    }
    for commitment in call.commitments():
        data[commitment.field_name] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_commission(
    call, vocab, *, institution_name="Institution", email="contact@inst.example", **fields
):
    """An institution and a commission of it to the call; fields override the commission's."""
    from commissions.models import Commission, Institution

    institution = Institution.objects.create(
        name=institution_name,
        legal_form="asbl",
        sector=vocab["sectors"][0],
        address="Rue 1",
        city="Namur",
    )
    return Commission.objects.create(
        **{
            "call": call,
            "institution": institution,
            "contact_name": "Anne",
            "contact_role": "Directrice",
            "contact_email": email,
            "contact_phone": "0",
            "title": "Question",
            "question": "Q ?",
            "context": "C",
            "expected_outcome": "E",
            "sector": vocab["sectors"][0],
            "commission_type": vocab["types"][0],
            "intervention_context": vocab["contexts"][0],
            "languages": ["fr"],
            **fields,
        }
    )


def zip_bytes(members, compression=zipfile.ZIP_STORED):
    """The bytes of a zip archive of these (name, content) members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


def make_cohort(call, vocab, commissions=3, students=12, supervisors=3, ranked=True, seed=0):
    """Selected commissions, students (ranking them when ranked=True) and supervisors."""
    import random

    from django.contrib.auth import get_user_model

    from commissions.models import Commission, Institution
    from teams.models import Preference, Student, Supervisor

    rng = random.Random(seed)
    User = get_user_model()
    sectors = vocab["sectors"]
    institution = Institution.objects.create(
        name="Asbl témoin", legal_form="asbl", sector=sectors[0], address="Rue 1", city="Namur"
    )
    selected = [
        Commission.objects.create(
            call=call,
            reference=f"S-{i:03d}",
            institution=institution,
            contact_name=f"Contact {i}",
            contact_role="Directrice",
            contact_email=f"contact{i}@inst.example",
            contact_phone="081 00 00 00",
            title=f"Commission {i}",
            question="Q ?",
            context="C",
            expected_outcome="E",
            sector=sectors[i % len(sectors)],
            commission_type=vocab["types"][0],
            intervention_context=vocab["contexts"][0],
            languages=["fr"],
            status=Commission.Status.SELECTED,
        )
        for i in range(commissions)
    ]
    people = []
    for i in range(students):
        user = User.objects.create_user(
            f"student{i}@uni.example",
            f"student{i}@uni.example",
            "pw-student-123",
            first_name=f"Étudiant{i}",
            last_name=f"Nom{i:03d}",
        )
        student = Student.objects.create(
            call=call,
            user=user,
            prior_studies=["Droit", "Psychologie", "Économie"][i % 3],
            languages=["fr"],
        )
        if ranked:
            order = selected[:]
            rng.shuffle(order)
            Preference.objects.bulk_create(
                Preference(student=student, commission=c, rank=r)
                for r, c in enumerate(order, start=1)
            )
            student.ranked_at = timezone.now()
            student.save(update_fields=["ranked_at"])
        people.append(student)
    sups = []
    for i in range(supervisors):
        user = User.objects.create_user(
            f"sup{i}@uni.example", f"sup{i}@uni.example", "pw-sup-123", first_name=f"Sup{i}"
        )
        sup = Supervisor.objects.create(call=call, user=user, capacity=2)
        sup.sectors.set([sectors[i % len(sectors)]])
        sups.append(sup)
    return selected, people, sups


def add_follow_dates(call, report_in_days=120):
    """The key dates of the year's work that make_call leaves out: exploration, report, feedback."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Brussels")
    today = timezone.localdate()

    def day(offset):
        return datetime.combine(today + timedelta(days=offset), time(0), tzinfo=zone)

    made = {}
    for kind, label, start, end, actor in [
        ("exploration", "Exploration", day(report_in_days - 100), day(report_in_days - 1),
         "students"),
        ("report", "Envoi du rapport de mission", day(report_in_days), None, "students"),
        ("feedback", "Rencontre de feed-back", day(report_in_days + 1), day(report_in_days + 14),
         "institution"),
    ]:  # fmt: skip
        made[kind] = KeyDate.objects.create(
            call=call,
            kind=kind,
            label=label,
            starts_at=start,
            ends_at=end,
            all_day=True,
            location="Dans l'institution commanditaire" if kind == "feedback" else "",
            actor=actor,
        )
    return made


def formed(call, coordinator):
    """Teams formed from a fresh allocation proposal; returns the run."""
    from teams.forming import allocating

    run = allocating.run_allocation(call, coordinator)
    allocating.apply_run(run, coordinator)
    return run


def publish_cohort(call, vocab, coordinator, commissions=3, students=12, supervisors=3, **dates):
    """A published cohort with the year's milestones: [(team, [members])], sorted by reference."""
    from teams.forming import allocating
    from teams.models import Team

    add_follow_dates(call, **dates)
    make_cohort(call, vocab, commissions=commissions, students=students, supervisors=supervisors)
    formed(call, coordinator)
    allocating.publish(call, coordinator, accept_warnings=True)
    return list(Team.objects.filter(call=call).select_related("commission").with_members())
