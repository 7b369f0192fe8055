"""The teams app answers for its own data: privacy, the coordinators' admin, the portal."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.urls import reverse
from factories import make_call, publish_cohort

from commissions.models import Programme
from commissions.privacy import contacts as privacy
from commissions.roles import make_coordinator
from teams.follow import calendar
from teams.models import Feedback, Milestone, Reminder

pytestmark = pytest.mark.django_db


def give_feedback(team, text):
    milestone = Milestone.objects.filter(team=team, deliverable="report").first()
    return Feedback.objects.create(
        team=team, milestone=milestone, usefulness=4, improve=text, comments=text
    )


def test_erasing_a_contact_scrubs_the_feedback_and_kills_the_calendar(
    client, call, vocab, coordinator
):
    team = publish_cohort(call, vocab, coordinator)[0]
    commission = team.commission
    name, email = commission.contact_name, commission.contact_email
    give_feedback(team, f"Call {name} at {email} about the report.")
    feed_path = reverse("teams:calendar", args=[calendar.feed_for(commission=commission).token])
    assert client.get(feed_path).status_code == 200

    exported = privacy.contact_data(email)
    assert exported["feedback"][0]["comments"].startswith(f"Call {name}")

    counts = privacy.erase_contact(email, coordinator, {call.programme_id})

    feedback = Feedback.objects.get(team=team)
    assert name not in feedback.comments and email not in feedback.improve
    assert "[erased]" in feedback.comments
    assert feedback.usefulness == 4  # the rating stays for the programme's statistics
    assert counts["feedback_scrubbed"] == 1 and counts["calendar_feeds_deleted"] == 1
    assert client.get(feed_path).status_code == 404


def test_the_retention_purge_reaches_the_teams_data_too(call, vocab, coordinator):
    team = publish_cohort(call, vocab, coordinator)[0]
    give_feedback(team, f"Thanks, {team.commission.contact_name}.")
    calendar.feed_for(commission=team.commission)
    call.retention_years = 0
    call.save(update_fields=["retention_years"])
    after = datetime.combine(call.retention_until() + timedelta(days=1), time(12), tzinfo=UTC)
    report = privacy.purge_expired(now=after, dry_run=False)
    assert report["commissions"] == 3
    assert team.commission.contact_name not in Feedback.objects.get(team=team).comments
    assert not team.commission.calendar_feeds.exists()


ADMIN_LISTS = ["milestone", "deliverable", "feedback", "reminder"]


def test_a_coordinator_opens_the_follow_up_admin_lists_of_their_programme_only(
    client, call, vocab, coordinator, django_user_model
):
    team = publish_cohort(call, vocab, coordinator, report_in_days=5)[0]
    give_feedback(team, "Useful.")
    Reminder.objects.create(
        milestone=Milestone.objects.filter(team=team).first(), recipient="x", step="7"
    )
    other = Programme.objects.create(name="Other lab", short_name="OL", slug="ol")
    other_call = make_call(other, slug="ol-2030")
    outsider = django_user_model.objects.create_user("outsider", "o@x.example", "pw")
    make_coordinator(outsider, other)
    assert not coordinator.is_superuser and other_call.pk

    client.force_login(coordinator)
    for model in ADMIN_LISTS:
        response = client.get(reverse(f"admin:teams_{model}_changelist"))
        assert response.status_code == 200, model
    milestones = client.get(reverse("admin:teams_milestone_changelist"))
    assert team.commission.reference in milestones.content.decode()
    assert (
        client.get(reverse("admin:teams_feedback_change", args=[team.feedback.pk])).status_code
        == 200
    )

    client.force_login(outsider)
    for model in ADMIN_LISTS:
        response = client.get(reverse(f"admin:teams_{model}_changelist"))
        assert response.status_code == 200, model
        assert team.commission.reference not in response.content.decode(), model
    denied = client.get(reverse("admin:teams_feedback_change", args=[team.feedback.pk]))
    assert denied.status_code in (302, 404)  # another programme's object does not exist for them
