import json
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from commissions.models import (
    Call,
    Commission,
    CommissionEvent,
    CommissionType,
    Criterion,
    Institution,
    InterventionContext,
    KeyDate,
    PastConsultancy,
    Programme,
    Review,
    ReviewAssignment,
    Sector,
    copy_call,
)
from commissions.review.reviewing import record_review_submission
from commissions.roles import make_coordinator, make_reviewer
from devtools.demo.cohort import load_cohort
from devtools.demo.history import build_history
from devtools.demo.translations import apply_translations, translate_pages
from network.directory import importing
from network.finder import indexing

HISTORY_YEARS = 4
DEMO_FILE = settings.BASE_DIR / "fixtures" / "demo.json"
NETWORK_FILE = settings.BASE_DIR / "fixtures" / "network" / "organisations.json"
LOGINS = [
    ("admin", "mias-admin-2024", "Administrator (superuser)"),
    ("coordination", "mias-demo-2024", "Coordinator of MIAS 1"),
    ("accompagnatrice", "mias-review-2024", "Supervisor invited to review"),
    ("etudiante", "mias-student-2024", "Student of the year in progress"),
]
# Scores per demo submission, (coordinator, supervisor) on the two reviewer criteria.
DEMO_SCORES = [
    (3, 4),
    (4, 3),
    (3, 3),
    (2, 3),
    (4, 4),
    (3, 2),
    (1, 2),
    (3, 4),
    (4, 2),
    (2, 2),
    (3, 3),
    (2, 4),
    (4, 3),
    (0, 2),
    (3, 2),
    (2, 3),
    (3, 3),
    (2, 1),
    (3, 4),
    (2, 2),
]


def _demo_user(username, **defaults):
    """The demo account, created once with its printed password."""
    password = next(p for name, p, _role in LOGINS if name == username)
    user, created = get_user_model().objects.get_or_create(username=username, defaults=defaults)
    if created:
        user.set_password(password)
        user.save()
    return user


def _aware(text):
    value = datetime.fromisoformat(text)
    return timezone.make_aware(value) if timezone.is_naive(value) else value


class Command(BaseCommand):
    help = "Load the demo data drawn from the seed call (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stage",
            choices=["running", "ranking"],
            default="running",
            help="the year in progress: teams at work (default) or students still ranking",
        )

    def handle(self, *args, stage="running", **options):
        data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
        with transaction.atomic():
            self.load(data, stage)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Logins:"))
        for username, password, role in LOGINS:
            self.stdout.write(f"  {role}: {username} / {password}")

    def load(self, data, stage="running"):
        sectors = {
            n: Sector.objects.get_or_create(name=n, defaults={"order": i})[0]
            for i, n in enumerate(data["sectors"])
        }
        types = {
            n: CommissionType.objects.get_or_create(name=n, defaults={"order": i})[0]
            for i, n in enumerate(data["commission_types"])
        }
        contexts = {
            n: InterventionContext.objects.get_or_create(name=n, defaults={"order": i})[0]
            for i, n in enumerate(data["intervention_contexts"])
        }
        programme, _ = Programme.objects.get_or_create(
            slug=data["programme"]["slug"], defaults=data["programme"]
        )
        for order, (sector, summary) in enumerate(data["past_consultancies"]):
            PastConsultancy.objects.get_or_create(
                programme=programme,
                summary=summary,
                defaults={"sector": sectors[sector], "order": order},
            )
        self.load_users(programme)
        past_call = self.load_call(programme, data["call"])
        open_call = self.open_call(past_call)
        institutions = self.load_institutions(data["institutions"], sectors)
        if not past_call.commissions.exists():
            for index, row in enumerate(data["submissions"]):
                self.add_submission(
                    past_call,
                    institutions,
                    row,
                    types,
                    contexts,
                    index,
                    Commission.Status.UNDER_REVIEW,
                )
        if not open_call.commissions.exists():
            for index in data["open_call_submissions"]:
                self.add_submission(
                    open_call,
                    institutions,
                    data["submissions"][index],
                    types,
                    contexts,
                    index,
                    Commission.Status.SUBMITTED,
                )
        self.load_reviews(past_call)
        self.load_pages(data["page"], past_call, open_call)
        load_cohort(past_call, open_call, stage=stage)
        self.load_history(programme, past_call, institutions)
        # Every institution joins the registry, those of the earlier years too.
        self.load_network(Institution.objects.filter(key=None))
        apply_translations()  # the seed call's texts in English and German too

    def load_network(self, institutions):
        """The Luxembourg directory (organisations, events), the registry fields of the demo
        institutions, and every organisation's vector (here, not through the queue)."""
        for institution in institutions:
            if institution.key is None:
                institution.key = slugify(f"{institution.name}-{institution.city}")[:80]
                institution.country = "BE"
                institution.languages = ["fr"]
                institution.save(update_fields=["key", "country", "languages", "updated_at"])
                institution.sectors.add(institution.sector)
        importing.apply(importing.read(NETWORK_FILE.read_bytes(), NETWORK_FILE.name))
        indexing.index_all()

    def load_history(self, programme, past_call, institutions):
        """Four finished years before the seed call, for the archive and the analytics."""
        first = int(past_call.academic_year[:4]) - HISTORY_YEARS
        if Call.objects.filter(programme=programme, academic_year=f"{first}-{first + 1}").exists():
            return
        build_history(
            programme, first, HISTORY_YEARS, per_year=24, prefix="demo", institutions=institutions
        )

    def load_reviews(self, call):
        if Review.objects.filter(commission__call=call).exists():
            return
        coordinator = get_user_model().objects.get(username="coordination")
        reviewer = _demo_user(
            "accompagnatrice",
            email="accompagnatrice@mias.example",
            first_name="Claire",
            last_name="Vandamme",
        )
        make_reviewer(reviewer, call.programme)
        criteria = list(call.criteria.filter(kind="reviewer"))
        commissions = list(call.commissions.order_by("pk"))
        for index, commission in enumerate(commissions):
            first, second = DEMO_SCORES[index % len(DEMO_SCORES)]
            scores = {criteria[0].pk: first, criteria[1].pk: max(first, second)}
            record_review_submission(commission, coordinator, scores, {})
            if index % 2 == 0:
                ReviewAssignment.objects.get_or_create(commission=commission, reviewer=reviewer)
            if index % 4 == 0:
                scores = {criteria[0].pk: max(second, 1), criteria[1].pk: second}
                record_review_submission(
                    commission,
                    reviewer,
                    scores,
                    {criteria[0].pk: "Question bien ancrée dans le non-marchand."},
                )

    def load_users(self, programme):
        _demo_user("admin", email="admin@mias.example", is_staff=True, is_superuser=True)
        coordinator = _demo_user(
            "coordination",
            email="coordination@mias.example",
            first_name="Philippe",
            last_name="Lesne",
        )
        make_coordinator(coordinator, programme)

    def load_call(self, programme, spec):
        call = Call.objects.filter(slug=spec["slug"]).first()
        if call:
            return call
        call = Call.objects.create(
            programme=programme,
            academic_year=spec["academic_year"],
            slug=spec["slug"],
            title=spec["title"],
            opens_at=_aware(spec["opens_at"]),
            deadline=_aware(spec["deadline"]),
            places=spec["places"],
            team_size_target=spec["team_size_target"],
            team_size_min=spec["team_size_min"],
            team_size_max=spec["team_size_max"],
            status=Call.Status.CLOSED,
            contact_name=spec["contact_name"],
            contact_email=spec["contact_email"],
        )
        for kd in spec["key_dates"]:
            KeyDate.objects.create(
                call=call,
                kind=kd["kind"],
                label=kd["label"],
                starts_at=_aware(kd["start"]),
                ends_at=_aware(kd["end"]) if kd.get("end") else None,
                all_day=kd.get("all_day", False),
                location=kd.get("location", ""),
                actor=kd["actor"],
                commitment=kd["commitment"],
            )
        for order, c in enumerate(spec["criteria"]):
            Criterion.objects.create(
                call=call,
                label=c["label"],
                description=c["description"],
                kind=c["kind"],
                eliminatory=c["eliminatory"],
                weight=c["weight"],
                order=order,
            )
        return call

    def open_call(self, past_call):
        """This year's open call: the seed call moved to the next deadline still ahead."""
        now = timezone.now()
        years = 1
        while past_call.deadline.replace(year=past_call.deadline.year + years) <= now:
            years += 1
        start = int(past_call.academic_year[:4]) + years
        existing = Call.objects.filter(
            academic_year=f"{start}-{start + 1}", programme=past_call.programme
        ).first()
        if existing:
            return existing
        call = copy_call(past_call, years, status=Call.Status.OPEN)
        if call.opens_at > now:
            call.opens_at = now.replace(hour=0, minute=0, second=0, microsecond=0)
            call.save(update_fields=["opens_at"])
        return call

    def load_institutions(self, rows, sectors):
        result = []
        for row in rows:
            institution, _ = Institution.objects.get_or_create(
                name=row["name"],
                city=row["city"],
                defaults={
                    "legal_form": row["legal_form"],
                    "sector": sectors[row["sector"]],
                    "address": row["address"],
                    "postal_code": row.get("postal_code", ""),
                    "website": row.get("website", ""),
                },
            )
            result.append(institution)
        return result

    def add_submission(self, call, institutions, row, types, contexts, index, status):
        inst_index, title, question, context_name, type_name, contact, role = row
        institution = institutions[inst_index]
        slug = "".join(ch for ch in contact.lower() if ch.isalpha())[:12]
        options = call.presentation_options()
        commission = Commission.objects.create(
            call=call,
            institution=institution,
            contact_name=contact,
            contact_role=role,
            contact_email=f"{slug}@demo.mias.example",
            contact_phone=f"+32 81 00 {index:02d} 00",
            title=title,
            question=question,
            context=f"{institution.name} ({institution.city}) accompagne chaque année des "
            "centaines de personnes ; la question s'est posée lors de notre dernière "
            "évaluation interne.",
            expected_outcome="Une analyse de la situation et des recommandations concrètes "
            "que l'équipe pourra mettre en œuvre.",
            resources="Accès aux rapports d'activité, entretiens avec l'équipe et les usagers.",
            sector=institution.sector,
            commission_type=types[type_name],
            intervention_context=contexts[context_name],
            languages=["fr"],
            accepted_commitments=[c.kind for c in call.commitments()],
            preferred_presentation=options[index % len(options)] if options else None,
            consent_text="Consentement donné sur le formulaire (données de démonstration).",
            consent_at=call.opens_at,
            submitted_at=call.opens_at + (call.deadline - call.opens_at) * (index / 25),
            status=Commission.Status.SUBMITTED,
        )
        commission.record(
            CommissionEvent.Kind.CREATED,
            actor_label=commission.contact_email,
            to_status=Commission.Status.SUBMITTED,
        )
        if status != Commission.Status.SUBMITTED:
            commission.set_status(status, actor_label="demo")

    def load_pages(self, page_data, past_call, open_call):
        from wagtail.models import Page, Site

        from cms.models import CallPage, HomePage

        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            home = root.add_child(
                instance=HomePage(
                    title="Laboratoires d'ingénierie sociale — commandes institutionnelles",
                    slug="accueil",
                    intro="<p>Vous dirigez une institution du secteur non-marchand ? Confiez une "
                    "question réelle à une équipe d'étudiant·es du MIAS.</p>",
                )
            )
            site = Site.objects.filter(is_default_site=True).first()
            old_root = site.root_page if site else None
            if site:
                site.root_page = home
                site.site_name = "MIAS Commissions"
                site.save()
            else:
                Site.objects.create(
                    hostname="localhost",
                    root_page=home,
                    is_default_site=True,
                    site_name="MIAS Commissions",
                )
            if old_root and old_root.specific_class is Page and old_root.depth == 2:
                old_root.delete()
        made = []
        for call in (open_call, past_call):
            if CallPage.objects.filter(call=call).exists():
                continue
            made.append(
                home.add_child(
                    instance=CallPage(
                        title=call.title,
                        slug=f"appel-{call.academic_year}",
                        call=call,
                        intro=page_data["intro"],
                        body=page_data["body"],
                        closing=page_data["closing"],
                    )
                )
            )
        if made:
            translate_pages(home, made)  # the seed call's page in English and German too
