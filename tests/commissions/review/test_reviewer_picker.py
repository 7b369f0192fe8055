"""The reviewer picker offers the programme's own people only: its coordinators and the
reviewers it added, never an administrator nor another programme's accounts."""

import pytest
from django.urls import reverse
from factories import make_commission

from commissions.models import Programme, ReviewAssignment
from commissions.roles import make_coordinator, make_reviewer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def people(django_user_model, call):
    other = Programme.objects.create(name="MIAS 2", short_name="MIAS2", slug="mias-2")
    made = {
        "root": django_user_model.objects.create_superuser("root", "root@x.example", "pw-12345"),
        "other_coord": django_user_model.objects.create_user("oc", "oc@x.example", "pw-12345"),
        "other_rev": django_user_model.objects.create_user("orv", "orv@x.example", "pw-12345"),
        "ours": django_user_model.objects.create_user("rev", "rev@x.example", "pw-12345"),
    }
    make_coordinator(made["other_coord"], other)
    make_reviewer(made["other_rev"], other)
    make_reviewer(made["ours"], call.programme)
    return made


def test_only_the_programmes_people_are_offered(client, call, coordinator, people):
    client.force_login(coordinator)
    response = client.get(reverse("commissions:assignments", args=[call.slug]))
    offered = set(response.context["form"].fields["reviewer"].queryset)
    assert offered == {coordinator, people["ours"]}


def test_posting_another_account_is_a_form_error(client, call, vocab, coordinator, people):
    commission = make_commission(call, vocab)
    client.force_login(coordinator)
    url = reverse("commissions:assignments", args=[call.slug])
    for name in ("root", "other_coord", "other_rev"):
        response = client.post(url, {"reviewer": people[name].pk, "commissions": [commission.pk]})
        assert response.status_code == 200
        assert response.context["form"].errors["reviewer"]
    assert not ReviewAssignment.objects.exists()
    response = client.post(url, {"reviewer": people["ours"].pk, "commissions": [commission.pk]})
    assert response.status_code == 302
    assert ReviewAssignment.objects.get().reviewer == people["ours"]
