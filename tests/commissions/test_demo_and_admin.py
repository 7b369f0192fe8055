from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from cms.models import CallPage
from commissions.models import Call, Commission, Institution
from teams.models import Student, Supervisor

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module (it takes seconds). As Django's
    `TestCase.setUpTestData`: it stays in an open transaction, each test runs in a savepoint
    inside it and is rolled back to the demo as loaded, and the module's end rolls back all."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as every test's accounts
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_demo", stdout=StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(demo_loaded, db):
    """The demo as loaded, for one test."""


def test_demo_loads_the_seed_call_and_an_open_call(demo, client):
    past = Call.objects.get(academic_year="2024-2025")
    assert past.places == 10 and past.status == Call.Status.CLOSED
    kinds = list(past.key_dates.values_list("kind", flat=True))
    assert kinds.count("oral") == 2 and "presentation" in kinds
    assert past.criteria.count() == 4
    assert past.commissions.count() == 20
    assert len(past.commitments()) == 6
    open_call = Call.objects.get(status=Call.Status.OPEN)
    assert open_call.accepts_submissions()
    assert open_call.key_dates.get(kind="presentation").starts_at.weekday() == 3  # a Thursday
    for page in CallPage.objects.all():
        assert client.get(page.url).status_code == 200
    assert client.get(open_call.get_submit_url()).status_code == 200
    assert client.get("/").status_code == 200


def test_demo_is_idempotent(demo):
    counts = [m.objects.count() for m in (Call, Commission, Institution, Student, Supervisor)]
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert [m.objects.count() for m in (Call, Commission, Institution, Student)] == counts[:4]
    recent = Call.objects.exclude(status=Call.Status.ARCHIVED)
    assert recent.count() == 3
    assert Commission.objects.filter(call__in=recent).count() == 33
    assert Institution.objects.filter(commissions__call__in=recent).distinct().count() == 20
    assert Student.objects.filter(call__in=recent).count() == 52
    assert Supervisor.objects.filter(call__in=recent).count() == 8
    # Every institution is in the registry, with the 33 organisations of the directory.
    assert Institution.objects.filter(key=None).count() == 0
    assert Institution.objects.filter(commissions=None).count() >= 33


def test_demo_has_four_finished_years_that_every_chart_reads(demo, client, english):
    from insights.models import SurveyAnswer
    from teams.models import Feedback, Team

    finished = Call.objects.filter(status=Call.Status.ARCHIVED).order_by("academic_year")
    assert [c.academic_year for c in finished] == [
        "2020-2021", "2021-2022", "2022-2023", "2023-2024"
    ]  # fmt: skip
    for call in finished:
        assert 20 <= call.commissions.count() <= 30 and call.is_finished()
        assert Team.objects.filter(call=call).count() == 10
        assert Feedback.objects.filter(team__call=call).exists()
        assert SurveyAnswer.objects.filter(call=call).exists()
    assert client.login(username="coordination", password="mias-demo-2024")
    page = client.get(reverse("insights:analytics", args=["mias-1"]))
    assert page.status_code == 200
    assert all(chart.rows for chart in page.context["charts"])
    assert "No " not in " ".join(c.reading for c in page.context["charts"])


def test_demo_year_in_progress_has_its_teams_at_work(demo, client):
    from teams.models import Deliverable, Milestone

    cohort = Call.objects.get(status=Call.Status.RUNNING)
    assert cohort.teams.published().count() == 10
    milestones = Milestone.objects.filter(team__call=cohort)
    assert milestones.filter(done_at__isnull=False).exists()
    assert Deliverable.objects.filter(milestone__team__call=cohort).count() == 4
    assert client.login(username="etudiante", password="mias-student-2024")
    page = client.get(reverse("teams:my_space"), follow=True)
    assert page.status_code == 200 and page.context["next"] is not None
    assert client.login(username="coordination", password="mias-demo-2024")
    board = client.get(reverse("teams:follow", args=[cohort.slug]))
    assert board.status_code == 200 and "status-late" in board.content.decode()


def test_coordinator_sees_the_submissions_in_the_admin(demo, client):
    assert client.login(username="coordination", password="mias-demo-2024")
    response = client.get(reverse("admin:commissions_commission_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == Commission.objects.count()  # history too
    commission = Commission.objects.first()
    assert (
        client.get(reverse("admin:commissions_commission_change", args=[commission.pk])).status_code
        == 200
    )
    call = Call.objects.first()
    assert client.get(reverse("admin:commissions_call_change", args=[call.pk])).status_code == 200
    assert client.get("/admin/").status_code == 200  # Wagtail, to edit the call page
    page = CallPage.objects.first()
    assert client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200


def test_coordinator_of_another_programme_sees_nothing(demo, client, django_user_model):
    from commissions.models import Programme
    from commissions.roles import make_coordinator

    other = Programme.objects.create(name="Autre", short_name="AUT", slug="autre")
    user = django_user_model.objects.create_user("other", "o@x.example", "pw-other-123")
    make_coordinator(user, other)
    client.force_login(user)
    response = client.get(reverse("admin:commissions_commission_changelist"))
    assert response.context["cl"].result_count == 0
    commission = Commission.objects.first()
    response = client.get(reverse("admin:commissions_commission_change", args=[commission.pk]))
    assert response.status_code == 302  # admin redirects unknown objects to the index


def test_status_change_in_admin_is_recorded(demo, client):
    client.login(username="admin", password="mias-admin-2024")
    commission = Commission.objects.filter(status="under_review").first()
    url = reverse("admin:commissions_commission_change", args=[commission.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        status="declined",
        languages='["fr"]',
        institution=commission.institution_id,
        sector=commission.sector_id,
        commission_type=commission.commission_type_id,
        intervention_context=commission.intervention_context_id,
        call=commission.call_id,
        preferred_presentation=commission.preferred_presentation_id or "",
        submitted_at_0=commission.submitted_at.strftime("%Y-%m-%d"),
        submitted_at_1=commission.submitted_at.strftime("%H:%M:%S"),
    )
    for prefix in ("events", "tokens"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = commission.events.order_by("-pk").first()
    assert (event.from_status, event.to_status) == ("under_review", "declined")
    assert event.actor.username == "admin"


def test_merge_institutions(demo, client):
    client.login(username="admin", password="mias-admin-2024")
    first, second = Institution.objects.order_by("pk")[:2]
    moved = second.commissions.count()
    url = reverse("admin:commissions_institution_changelist")
    response = client.post(
        url, {"action": "merge_institutions", "_selected_action": [first.pk, second.pk]}
    )
    assert response.status_code == 200  # the confirmation page
    client.post(
        url,
        {
            "action": "merge_institutions",
            "_selected_action": [first.pk, second.pk],
            "keep": first.pk,
        },
    )
    assert not Institution.objects.filter(pk=second.pk).exists()
    assert first.commissions.count() >= moved


def test_revoke_links_from_admin(demo, client):
    from commissions.models import AccessToken

    client.login(username="admin", password="mias-admin-2024")
    commission = Commission.objects.first()
    token = AccessToken.issue(commission)
    client.post(
        reverse("admin:commissions_commission_changelist"),
        {"action": "revoke_links", "_selected_action": [commission.pk]},
    )
    assert AccessToken.resolve(token) is None
