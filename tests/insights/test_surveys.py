"""End-of-year surveys: sent once with one reminder, answered by the students, read by the
coordinators as aggregates (peer ratings only from two raters), the institution's last word."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commissions.models import AccessToken, Email
from insights.models import OralFeedback, PeerRating, SurveyAnswer
from insights.surveys import surveying
from insights.surveys.peers import peer_summary
from teams.models import Milestone, Student

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ANSWER = {
    "commission_rating": "4",
    "supervisor_rating": "5",
    "team_rating": "3",
    "satisfaction": "4",
    "learnt": "Mener un entretien.",
    "comments": "",
}


def test_peer_ratings_are_withheld_below_two_raters():
    ratings = [(1, 10, 4), (2, 10, 2), (1, 11, 5), (1, 10, 5)]  # rater 1 changed their mind
    assert peer_summary(ratings) == {10: (2, 3.5), 11: (1, None)}
    assert peer_summary([]) == {}


def test_the_survey_goes_once_and_the_reminder_once_to_those_who_did_not_answer(
    call, teams, coordinator, django_capture_on_commit_callbacks
):
    students = list(Student.objects.filter(call=call))
    with django_capture_on_commit_callbacks():
        assert surveying.send_survey(call, coordinator) == len(students) == 12
        assert surveying.send_survey(call, coordinator) == 0
    assert Email.objects.filter(kind="survey").count() == 12
    surveying.save_answer(students[0], dict(ANSWER), {})
    with django_capture_on_commit_callbacks():
        assert surveying.send_reminder(call) == 11
        assert surveying.send_reminder(call) is None
    reminded = set(Email.objects.filter(kind="survey_reminder").values_list("to", flat=True))
    assert students[0].user.email not in reminded and len(reminded) == 11


def test_no_reminder_before_the_survey(call, teams):
    assert surveying.send_reminder(call) is None


def test_the_coordinator_sends_from_the_results_page(client, coordinator, call, teams):
    client.force_login(coordinator)
    page = reverse("insights:survey_results", args=[call.slug])
    assert "Send the survey to the students" in client.get(page).content.decode()
    client.post(reverse("insights:survey_send", args=[call.slug]))
    again = client.post(reverse("insights:survey_send", args=[call.slug]), follow=True)
    assert "already sent" in again.content.decode()
    assert Email.objects.filter(kind="survey").count() == 12


def test_a_student_answers_and_rates_teammates(client, call, teams):
    team = teams[0]
    me, *mates = list(team.members.all())
    client.force_login(me.user)
    url = reverse("insights:survey", args=[call.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert mates[0].name in page.content.decode()
    bad = client.post(url, {**ANSWER, "learnt": "", "satisfaction": "9"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Tell us in a few words what you learnt." in html
    assert not SurveyAnswer.objects.exists()
    data = {**ANSWER, f"peer_{mates[0].pk}": "5", f"peer_{mates[1].pk}": ""}
    assert client.post(url, data).status_code == 302
    answer = SurveyAnswer.objects.get(student=me)
    assert (answer.satisfaction, answer.team_id) == (4, team.pk)
    assert list(PeerRating.objects.values_list("peer_id", "score")) == [(mates[0].pk, 5)]


def test_only_students_of_a_published_team_of_the_call_answer(
    client, call, teams, coordinator, django_user_model
):
    client.force_login(coordinator)
    assert client.get(reverse("insights:survey", args=[call.slug])).status_code == 404
    student = teams[0].members.first()
    client.force_login(student.user)
    assert client.get(reverse("insights:survey", args=["another-call"])).status_code == 404


def test_coordinators_see_peer_means_only_from_two_raters(
    client, coordinator, call, teams, django_assert_max_num_queries
):
    a, b, c, *_rest = list(teams[0].members.all())
    surveying.save_answer(a, dict(ANSWER), {c.pk: 5, b.pk: 2})
    surveying.save_answer(b, dict(ANSWER), {c.pk: 4})
    client.force_login(coordinator)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("insights:survey_results", args=[call.slug]))
    rows = {s.pk: peer for row in page.context["teams"] for s, peer in row["members"]}
    assert rows[c.pk] == (2, 4.5)
    assert rows[b.pk] == (1, None)  # only a rated b: withheld
    html = page.content.decode()
    assert "hidden (fewer than two ratings)" in html
    assert "2.0" not in html.split("hidden")[0][-200:]  # a's single rating of b is not shown
    assert page.context["answered"] == 2 and "Mener un entretien." in html


def test_the_institution_answers_the_last_question_after_the_oral(client, call, teams):
    team = teams[0]
    token = AccessToken.issue(team.commission)
    portal = reverse("commissions:portal", args=[token])
    post = reverse("insights:oral_feedback", args=[token])
    assert "A last question" not in client.get(portal).content.decode()
    assert client.post(post, {"usefulness": "4"}).status_code == 404  # not yet
    Milestone.objects.filter(team=team, key_date__kind="oral").update(
        starts_at=timezone.now() - timedelta(days=1)
    )
    assert "A last question" in client.get(portal).content.decode()
    bad = client.post(post, {"usefulness": "12"})
    assert bad.status_code == 400 and "A last question" in bad.content.decode()
    assert client.post(post, {"usefulness": "4", "comment": "Bravo"}).status_code == 302
    assert OralFeedback.objects.get(team=team).usefulness == 4


def test_satisfaction_feeds_the_analytics(client, coordinator, call, teams):
    a, b, *_ = list(teams[0].members.all())
    surveying.save_answer(a, {**ANSWER, "satisfaction": 5}, {})
    surveying.save_answer(b, {**ANSWER, "satisfaction": 2}, {})
    client.force_login(coordinator)
    page = client.get(reverse("insights:analytics", args=[call.programme.slug]))
    chart = next(c for c in page.context["charts"] if c.slug == "satisfaction")
    assert chart.rows == [[call.academic_year, 2, 3.5, 0, 1, 0, 0, 1]]


def test_the_student_survey_reads_a_bounded_number_of_queries(
    client, call, teams, django_assert_max_num_queries
):
    me, *mates = list(teams[0].members.all())
    surveying.save_answer(me, dict(ANSWER), {m.pk: 4 for m in mates})
    client.force_login(me.user)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("insights:survey", args=[call.slug]))
    assert page.status_code == 200
    assert page.context["form"].initial[f"peer_{mates[0].pk}"] == 4  # answers come back


def test_the_team_page_leads_members_to_the_survey_once_sent(client, coordinator, call, teams):
    me = teams[0].members.first()
    client.force_login(me.user)
    team_page = reverse("teams:team", args=[teams[0].pk])
    assert "Answer the survey" not in client.get(team_page).content.decode()
    surveying.send_survey(call, coordinator)
    html = client.get(team_page).content.decode()
    assert "Answer the survey" in html and reverse("insights:survey", args=[call.slug]) in html
    surveying.save_answer(me, dict(ANSWER), {})
    assert "See or change my answers" in client.get(team_page).content.decode()
    client.force_login(coordinator)  # not a member: no invitation to answer
    assert "Answer the survey" not in client.get(team_page).content.decode()
