"""Preparing next year's call: a preview of the moved dates, then drafts of call and page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.models import CallPage
from commissions.models import Call, KeyDate
from insights.nextcall.planning import move_dates, shift_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def page(call, home):
    return home.add_child(
        instance=CallPage(
            title=f"Appel {call.academic_year}",
            slug=f"appel-{call.academic_year}",
            call=call,
            intro="<p>Nos textes de l'an dernier</p>",
        )
    )


def prepare_url(call):
    return reverse("insights:prepare", args=[call.slug])


def test_moving_by_whole_weeks_keeps_every_weekday():
    thursday = timezone.make_aware(timezone.datetime(2024, 10, 3, 18))
    for years in range(1, 6):
        (moved,) = move_dates([("Présentation", thursday)], years)
        assert moved.same_weekday and moved.after.weekday() == 3
        assert abs((moved.after - thursday).days - 365.25 * years) <= 3.5
    assert shift_for(1) == timedelta(weeks=52)
    assert move_dates([("Pas de date", None)], 1) == []


def test_the_preview_shows_each_date_moved_and_what_is_kept(client, coordinator, call, page):
    client.force_login(coordinator)
    response = client.get(prepare_url(call))
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan["academic_year"] == "2031-2032"
    labels = [d.label for d in plan["dates"]]
    assert "Submission deadline" in labels and "Fin du laboratoire" in labels
    assert all(d.same_weekday for d in plan["dates"])
    html = response.content.decode()
    assert "Create the 2031-2032 call as a draft" in html
    assert "copied as a draft" in html
    assert not Call.objects.filter(academic_year="2031-2032").exists()  # only a preview


def test_copying_keeps_weekdays_criteria_sizes_and_makes_a_draft_page(
    client, coordinator, call, page
):
    call.places, call.team_size_target, call.team_size_max = 8, 4, 5
    call.save()
    client.force_login(coordinator)
    response = client.post(prepare_url(call), {"years": "1"})
    new = Call.objects.get(academic_year="2031-2032")
    assert response.status_code == 302
    assert response["Location"] == reverse("insights:prepared", args=[new.slug])
    assert new.status == Call.Status.DRAFT
    assert (new.places, new.team_size_target, new.team_size_max) == (8, 4, 5)
    old_dates = sorted((kd.kind, kd.starts_at) for kd in call.key_dates.all())
    new_dates = sorted((kd.kind, kd.starts_at) for kd in new.key_dates.all())
    assert [k for k, _ in old_dates] == [k for k, _ in new_dates]
    for (_k, before), (_k2, after) in zip(old_dates, new_dates, strict=True):
        assert timezone.localtime(before).weekday() == timezone.localtime(after).weekday()
    assert [(c.label, c.weight, c.eliminatory) for c in new.criteria.all()] == [
        (c.label, c.weight, c.eliminatory) for c in call.criteria.all()
    ]
    copy = CallPage.objects.get(call=new)
    assert not copy.live  # a draft: the coordinator reads it before publishing
    assert copy.title == "Appel 2031-2032" and copy.slug == "appel-2031-2032"
    assert "Nos textes de l'an dernier" in copy.intro
    assert CallPage.objects.get(call=call).live
    shown = client.get(response["Location"])
    assert shown.status_code == 200
    assert reverse("wagtailadmin_pages:edit", args=[copy.pk]) in shown.content.decode()


def test_a_second_copy_of_the_same_year_is_refused_with_a_message(client, coordinator, call):
    client.force_login(coordinator)
    assert client.post(prepare_url(call), {"years": "1"}).status_code == 302
    response = client.post(prepare_url(call), {"years": "1"})
    assert response.status_code == 400
    assert "There already is a call for 2031-2032" in response.content.decode()
    assert Call.objects.filter(academic_year="2031-2032").count() == 1


@pytest.mark.parametrize("years", ["0", "9", "abc", "", "1e9", "\x00"])
def test_a_wrong_number_of_years_gets_a_message(client, coordinator, call, years):
    client.force_login(coordinator)
    response = client.post(prepare_url(call), {"years": years})
    assert response.status_code == 400
    assert "whole number of years from 1 to 5" in response.content.decode()
    assert client.get(prepare_url(call), {"years": years}).status_code == 200
    assert Call.objects.count() == 1


def test_a_finished_year_can_still_be_copied(client, coordinator, call):
    call.status = Call.Status.ARCHIVED
    call.save()
    client.force_login(coordinator)
    assert client.post(prepare_url(call), {"years": "2"}).status_code == 302
    assert Call.objects.filter(academic_year="2032-2033", status="draft").exists()


def test_the_call_without_a_page_copies_without_one(client, coordinator, call):
    client.force_login(coordinator)
    client.post(prepare_url(call), {"years": "1"})
    assert not CallPage.objects.exists()


def test_the_preview_reads_a_bounded_number_of_queries(
    client, coordinator, call, page, django_assert_max_num_queries
):
    for i in range(20):
        KeyDate.objects.create(
            call=call, kind="other", label=f"Étape {i}", starts_at=call.deadline, actor="students"
        )
    client.force_login(coordinator)
    with django_assert_max_num_queries(14):
        assert client.get(prepare_url(call)).status_code == 200
