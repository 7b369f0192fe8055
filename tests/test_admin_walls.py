"""Programme walls in the Django admin: every choice of every admin form stays inside the
coordinator's programmes, posting another programme's ids is a form error, related rows must
agree (a student's team is of the student's call…), and lists show nothing of the others."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from factories import make_call, make_commission, publish_cohort

from commissions.admin import ProgrammeScopedAdmin
from commissions.models import (
    Call,
    Commission,
    Criterion,
    KeyDate,
    MessageTemplate,
    PastConsultancy,
    Programme,
)
from commissions.roles import make_coordinator
from teams.models import Milestone, Student, Supervisor, Team

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def other(db, vocab, django_user_model):
    """Programme B, with a published cohort, its coordinator, and a superuser."""
    programme = Programme.objects.create(name="Programme B", short_name="PB", slug="pb")
    coord = django_user_model.objects.create_user("coord-b", "b@x.example", "pw-coord-b")
    make_coordinator(coord, programme)
    call = make_call(programme, slug="b-2030")
    teams = publish_cohort(call, vocab, coord)
    root = django_user_model.objects.create_superuser("root", "root@x.example", "pw-root-1")
    PastConsultancy.objects.create(programme=programme, sector=vocab["sectors"][0], summary="B")
    template = MessageTemplate.objects.create(
        programme=programme, kind="decision_selected", language="fr", subject="B", body="B"
    )
    return {
        "programme": programme,
        "call": call,
        "teams": teams,
        "template": template,
        "owned": {
            Programme: {programme.pk},
            Call: {call.pk},
            Commission: set(Commission.objects.filter(call=call).values_list("pk", flat=True)),
            KeyDate: set(KeyDate.objects.filter(call=call).values_list("pk", flat=True)),
            Criterion: set(Criterion.objects.filter(call=call).values_list("pk", flat=True)),
            Team: {t.pk for t in teams},
            Student: set(Student.objects.filter(call=call).values_list("pk", flat=True)),
            Supervisor: set(Supervisor.objects.filter(call=call).values_list("pk", flat=True)),
            Milestone: set(Milestone.objects.filter(team__call=call).values_list("pk", flat=True)),
            # its coordinator, the superuser, its students and supervisors
            get_user_model(): {coord.pk, root.pk}
            | set(Student.objects.filter(call=call).values_list("user", flat=True))
            | set(Supervisor.objects.filter(call=call).values_list("user", flat=True)),
        },
    }


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_no_admin_form_offers_another_programmes_rows(call, coordinator, other):
    request = _request(coordinator)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, ProgrammeScopedAdmin):
            continue
        if not (
            model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
        ):
            continue
        form = model_admin.get_form(request)()
        for name, field in form.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None or queryset.model not in other["owned"]:
                continue
            offered = set(queryset.values_list("pk", flat=True))
            leaked = offered & other["owned"][queryset.model]
            assert not leaked, f"{model.__name__}.{name} offers programme B's {leaked}"
            checked += 1
    assert checked >= 15  # calls, commissions, teams, students, users… were all looked at


def _admin_post(client, model, data, obj=None):
    meta = model._meta
    if obj is None:
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
    else:
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    return client.post(url, data)


def test_posting_programme_b_ids_is_a_form_error(client, call, vocab, coordinator, other):
    client.force_login(coordinator)
    b_team = other["teams"][0]
    student_user = get_user_model().objects.create_user("s-a", "s-a@x.example", "pw-s-a-123")
    response = _admin_post(
        client,
        Student,
        {"call": call.pk, "user": student_user.pk, "team": b_team.pk, "prior_studies": "Droit",
         "languages": '["fr"]', "notes": ""},
    )  # fmt: skip
    assert response.status_code == 200
    assert "team" in response.context["adminform"].form.errors
    assert not Student.objects.filter(call=call).exists()

    response = _admin_post(
        client,
        MessageTemplate,
        {"programme": other["programme"].pk, "kind": "decision_declined", "language": "fr",
         "subject": "x", "body": "y"},
    )  # fmt: skip
    assert "programme" in response.context["adminform"].form.errors
    assert MessageTemplate.objects.count() == 1

    response = _admin_post(
        client,
        PastConsultancy,
        {"programme": other["programme"].pk, "sector": vocab["sectors"][0].pk, "summary": "x",
         "academic_year": "", "order": 0},
    )  # fmt: skip
    assert "programme" in response.context["adminform"].form.errors

    mine = make_commission(call, vocab)
    response = _admin_post(
        client, Team, {"call": call.pk, "commission": b_team.commission_id, "locked": ""}
    )
    assert "commission" in response.context["adminform"].form.errors
    assert not Team.objects.filter(commission=mine).exists()


def test_related_rows_must_agree_within_a_programme(
    client, programme, vocab, coordinator, django_user_model
):
    """Two calls of the coordinator's own programme: the choices are allowed, the mix is not."""
    client.force_login(coordinator)
    first = make_call(programme, slug="first")
    second = make_call(programme, slug="second")
    commission = make_commission(first, vocab)
    other_commission = make_commission(second, vocab, institution_name="Autre")
    team = Team.objects.create(call=second, commission=other_commission)
    user = django_user_model.objects.create_user("s1", "s1@x.example", "pw-s1-1234")
    response = _admin_post(
        client,
        Student,
        {"call": first.pk, "user": user.pk, "team": team.pk, "prior_studies": "Droit",
         "languages": '["fr"]', "notes": ""},
    )  # fmt: skip
    assert response.context["adminform"].form.errors["team"] == [
        "This team belongs to another call."
    ]
    response = _admin_post(client, Team, {"call": second.pk, "commission": commission.pk})
    assert response.context["adminform"].form.errors["commission"] == [
        "This commission belongs to another call."
    ]
    oral = second.key_dates.filter(kind="oral").first()
    response = client.get(reverse("admin:commissions_commission_change", args=[commission.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(preferred_presentation=oral.pk, languages='["fr"]', accepted_commitments="[]")
    response = _admin_post(client, Commission, data, obj=commission)
    assert response.context["adminform"].form.errors["preferred_presentation"] == [
        "This date belongs to another call."
    ]


def test_lists_and_pages_of_programme_b_stay_closed(client, call, coordinator, other):
    client.force_login(coordinator)
    page = client.get(reverse("admin:commissions_pastconsultancy_changelist"))
    assert page.status_code == 200 and page.context["cl"].result_count == 0
    past = PastConsultancy.objects.get(programme=other["programme"])
    change = client.get(reverse("admin:commissions_pastconsultancy_change", args=[past.pk]))
    assert change.status_code == 302  # "does not exist", back to the list
    students = client.get(reverse("admin:teams_student_changelist")).content.decode()
    assert other["call"].title not in students and "b-2030" not in students
    template = client.get(
        reverse("admin:commissions_messagetemplate_change", args=[other["template"].pk])
    )
    assert template.status_code == 302
