"""Programme walls in Wagtail: a coordinator of programme A cannot edit, unpublish or delete
programme B's call page, and binds a new call page only to one of A's calls."""

import pytest
from django.contrib.auth.models import Group
from factories import make_call

from cms.models import CallPage
from cms.permissions import grant_every_call_page
from commissions.models import Programme
from commissions.roles import ensure_coordinator_group, make_coordinator, programme_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(home, call, vocab, coordinator, django_user_model):
    other = Programme.objects.create(name="Programme B", short_name="PB", slug="pb")
    coord_b = django_user_model.objects.create_user("coord-b", "b@x.example", "pw-coord-b1")
    make_coordinator(coord_b, other)
    b_call = make_call(other, slug="b-2030")
    mine = home.add_child(instance=CallPage(title="A", slug="a", call=call))
    theirs = home.add_child(instance=CallPage(title="B", slug="b", call=b_call))
    return {"mine": mine, "theirs": theirs, "b_call": b_call, "coord_b": coord_b}


def test_a_coordinator_acts_on_their_programmes_page_only(coordinator, pages):
    mine = pages["mine"].permissions_for_user(coordinator)
    theirs = pages["theirs"].permissions_for_user(coordinator)
    assert mine.can_edit() and mine.can_publish() and mine.can_unpublish()
    assert not theirs.can_edit()
    assert not theirs.can_unpublish()
    assert not theirs.can_delete()
    assert not theirs.can_publish()
    assert pages["theirs"].permissions_for_user(pages["coord_b"]).can_edit()


def test_the_wagtail_admin_refuses_programme_b_page(client, coordinator, pages):
    client.force_login(coordinator)
    theirs = pages["theirs"]
    assert client.get(f"/admin/pages/{pages['mine'].pk}/edit/").status_code == 200
    assert client.get(f"/admin/pages/{theirs.pk}/edit/").status_code in (302, 403)
    client.post(f"/admin/pages/{theirs.pk}/unpublish/")
    client.post(f"/admin/pages/{theirs.pk}/delete/")
    theirs = CallPage.objects.get(pk=theirs.pk)
    assert theirs.live and theirs.title == "B"


def test_a_new_call_page_is_bound_to_ones_own_calls(client, home, coordinator, pages, call):
    client.force_login(coordinator)
    response = client.get(f"/admin/pages/add/cms/callpage/{home.pk}/")
    assert response.status_code == 200
    offered = set(response.context["form"].fields["call"].queryset)
    assert call in offered and pages["b_call"] not in offered


def test_rights_follow_the_programmes_coordinators(coordinator, pages, programme):
    assert coordinator.groups.filter(pk=programme_group(programme).pk).exists()
    programme.coordinators.remove(coordinator)
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)  # no cached permissions
    assert not pages["mine"].permissions_for_user(coordinator).can_edit()


def test_pages_made_before_the_walls_get_their_programme_after_migrate(coordinator, pages):
    from wagtail.models import GroupPagePermission

    GroupPagePermission.objects.filter(page=pages["mine"]).delete()
    ensure_coordinator_group()
    assert not pages["mine"].permissions_for_user(coordinator).can_edit()
    grant_every_call_page()
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)
    assert pages["mine"].permissions_for_user(coordinator).can_edit()
    coordinators = Group.objects.get(name="Coordinators")
    assert not GroupPagePermission.objects.filter(
        group=coordinators, permission__codename__in=["change_page", "publish_page"]
    ).exists()
