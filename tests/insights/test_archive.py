"""The archive: every call of a programme with its figures; a finished year is read-only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from factories import make_commission

from commissions.models import Call, Commission, KeyDate, Note, Programme
from commissions.roles import make_coordinator
from devtools.demo.history import build_history
from teams.models import Feedback, Milestone, Student, Team

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def archive_url(programme):
    return reverse("insights:archive", args=[programme.slug])


def test_the_archive_lists_every_year_with_its_figures(client, coordinator, programme, vocab):
    calls = build_history(programme, 2020, 2, per_year=12, places=4)
    client.force_login(coordinator)
    response = client.get(archive_url(programme))
    assert response.status_code == 200
    rows = {row["call"].academic_year: row for row in response.context["rows"]}
    assert list(rows) == ["2021-2022", "2020-2021"]  # newest first
    for call in calls:
        row = rows[call.academic_year]
        active = Commission.objects.filter(call=call).exclude(status="withdrawn")
        assert row["submitted"] == active.count()
        assert row["selected"] == 4
        assert row["teams"] == Team.objects.filter(call=call).count() == 4
        assert row["students"] == Student.objects.filter(call=call).count() == 20
        assert row["finished"] is True
        ratings = list(
            Feedback.objects.filter(team__call=call).values_list("usefulness", flat=True)
        )
        assert row["usefulness"] == pytest.approx(sum(ratings) / len(ratings))
    assert "Finished · read-only" in response.content.decode()


def test_the_archive_costs_the_same_queries_at_two_and_ten_years(
    client, coordinator, programme, vocab, django_assert_max_num_queries
):
    client.force_login(coordinator)
    build_history(programme, 2010, 2, per_year=6, places=3, prefix="a")
    with CaptureQueriesContext(connection) as two:
        assert client.get(archive_url(programme)).status_code == 200
    build_history(programme, 2012, 8, per_year=6, places=3, prefix="b")
    with django_assert_max_num_queries(12):
        response = client.get(archive_url(programme))
    assert len(response.context["rows"]) == 10
    with CaptureQueriesContext(connection) as ten:
        client.get(archive_url(programme))
    assert len(ten) == len(two)


def test_another_programmes_coordinator_is_refused(client, django_user_model, programme):
    other = Programme.objects.create(name="Autre", short_name="A", slug="autre")
    user = django_user_model.objects.create_user("o", "o@x.example", "pw-other-123")
    make_coordinator(user, other)
    client.force_login(user)
    assert client.get(archive_url(programme)).status_code == 403


def test_the_workspace_links_to_the_archive(client, coordinator, call):
    client.force_login(coordinator)
    response = client.get(reverse("commissions:workspace"))
    assert archive_url(call.programme) in response.content.decode()


def finish(call):
    """The lab ended yesterday: the year is finished."""
    call.status = Call.Status.RUNNING
    call.save()
    call.key_dates.filter(kind=KeyDate.Kind.END).update(
        starts_at=timezone.now() - timedelta(days=1)
    )


def test_a_year_is_finished_once_archived_or_once_its_lab_has_ended(call):
    assert not call.is_finished()
    finish(call)
    assert call.is_finished()
    call.status = Call.Status.ARCHIVED
    call.key_dates.filter(kind=KeyDate.Kind.END).delete()
    assert call.is_finished()
    call.status = Call.Status.DRAFT  # next year's draft is never finished
    assert not call.is_finished()
    call.status = Call.Status.CLOSED  # nor a call whose year never ran
    call.key_dates.create(kind="end", label="Fin", starts_at=timezone.now(), actor="coordinator")
    assert not call.is_finished()


def test_a_finished_year_is_read_only_and_still_browsable(client, coordinator, call, vocab):
    commission = make_commission(call, vocab)
    finish(call)
    client.force_login(coordinator)
    response = client.post(
        reverse("commissions:add_note", args=[call.slug, commission.pk]), {"text": "Appel"}
    )
    assert response.status_code == 403
    assert "is finished" in response.content.decode()
    assert not Note.objects.exists()
    for name in ["review_table", "assignments", "selection", "outbox"]:
        assert client.get(reverse(f"commissions:{name}", args=[call.slug])).status_code == 200
    page = reverse("commissions:review_commission", args=[call.slug, commission.pk])
    assert client.get(page).status_code == 200
    assert client.post(page, {}).status_code == 403
    for name in ["board", "follow", "people"]:
        assert client.get(reverse(f"teams:{name}", args=[call.slug])).status_code == 200
    assert client.post(reverse("teams:run", args=[call.slug])).status_code == 403


def test_a_finished_years_milestones_cannot_be_moved_or_marked(client, coordinator, teams, call):
    team = Team.objects.first()
    milestone = Milestone.objects.filter(team=team).first()
    finish(call)
    client.force_login(coordinator)
    for name in ["milestone_move", "milestone_update"]:
        url = reverse(f"teams:{name}", args=[team.pk, milestone.pk])
        response = client.post(url, {"done": "on", "date": "2031-01-01"})
        assert response.status_code == 403, name
    milestone.refresh_from_db()
    assert milestone.done_at is None and not milestone.overridden


def test_a_finished_years_commissions_are_read_only_in_the_admin(
    client, coordinator, call, vocab, django_user_model
):
    commission = make_commission(call, vocab, title="Avant")
    url = reverse("admin:commissions_commission_change", args=[commission.pk])
    client.force_login(coordinator)
    assert 'name="_save"' in client.get(url).content.decode()  # the year is under way
    finish(call)
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, {"title": "Après"}).status_code == 403
    commission.refresh_from_db()
    assert commission.title == "Avant"
    call_page = client.get(reverse("admin:commissions_call_change", args=[call.pk]))
    assert 'name="_save"' in call_page.content.decode()  # the call itself: status, dates
    root = django_user_model.objects.create_superuser("root", "r@x.example", "pw-root-123")
    client.force_login(root)
    assert 'name="_save"' in client.get(url).content.decode()  # a superuser may mend it
