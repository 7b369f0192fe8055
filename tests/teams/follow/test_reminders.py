"""Reminders: each step once per milestone and person, whatever runs twice or dies midway."""

import re
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from factories import make_call, publish_cohort, run_queued

from commissions.models import Email
from teams.follow import following, reminders
from teams.models import Milestone, Reminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(call, vocab, coordinator):
    # The report is due in 7 days and the exploration ends in 6: both reach the 7-day step.
    return publish_cohort(call, vocab, coordinator, report_in_days=7)


def reminder_emails():
    return Email.objects.filter(kind="milestone_reminder")


def test_each_student_gets_one_e_mail_with_their_milestones_once(
    teams, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_reminders() == 12  # one per student
    assert Reminder.objects.count() == 24  # 12 students × (report, exploration), step 7
    assert set(Reminder.objects.values_list("step", flat=True)) == {"7"}
    # The daily run comes again (or twice the same morning): nothing new.
    assert reminders.send_reminders() == 0
    assert Reminder.objects.count() == 24 and reminder_emails().count() == 12
    run_queued(broker)
    assert len(mail.outbox) == 12
    message = mail.outbox[0]
    assert "Envoi du rapport de mission" in message.body and "Exploration" in message.body
    assert "Rappel" in message.subject  # each in the person's language (French here)


def test_a_run_that_dies_midway_is_finished_by_the_next_without_doubles(teams):
    real = reminders.queue_email
    calls = {"n": 0}

    def dying(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("worker killed")
        return real(*args, **kwargs)

    with mock.patch.object(reminders, "queue_email", side_effect=dying):
        with pytest.raises(RuntimeError):
            reminders.send_reminders()
    # The first three people have their whole e-mail and log; the fourth has neither.
    assert reminder_emails().count() == 3 and Reminder.objects.count() == 6
    assert reminders.send_reminders() == 9
    assert reminder_emails().count() == 12
    recipients = list(reminder_emails().values_list("to", flat=True))
    assert len(recipients) == len(set(recipients))


def test_the_next_step_goes_once_and_a_step_skipped_is_not_sent_late(call, teams):
    reminders.send_reminders()
    report = Milestone.objects.filter(key_date__kind="report").first()
    # Six days later the report is due tomorrow: the 1-day step goes, once.
    later = report.due_at - following.milestones.timedelta(hours=30)
    plan = reminders.plan_reminders(later)
    assert {(m.key_date.kind, step) for m, step, *_ in plan} >= {("report", "1")}
    reminders.send_reminders(later)
    assert reminders.plan_reminders(later) == []


def test_overdue_documents_go_to_the_team_and_its_supervisor_once(teams):
    team = teams[0]
    report = team.milestones.get(key_date__kind="report")
    after = report.due_at + following.milestones.timedelta(days=1)
    plan = [p for p in reminders.plan_reminders(after) if p[0] == report]
    recipients = {address for _m, step, _r, address, *_ in plan if step == "overdue"}
    assert recipients == {s.email for s in team.members.all()} | {team.supervisor.email}
    reminders.send_reminders(after)
    assert not [p for p in reminders.plan_reminders(after) if p[0] == report]
    # Once handed in, no more reminders.
    following.set_done(team.milestones.get(key_date__kind="exploration"), None)


def test_institutions_are_reminded_of_their_meetings_with_their_private_link(
    call, vocab, coordinator, broker, django_capture_on_commit_callbacks
):
    # The feedback meeting ends in 6 days.
    teams = publish_cohort(call, vocab, coordinator, report_in_days=-8)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_reminders()
    run_queued(broker)
    contact = teams[0].commission.contact_email
    sent = [m for m in mail.outbox if m.to == [contact]]
    assert len(sent) == 1 and "Rencontre de feed-back" in sent[0].body
    link = re.search(r"https?://\S+/commande/(\S+)/", sent[0].body)
    assert link and link.group(1) != "…"
    stored = Email.objects.get(kind="milestone_reminder", to=contact)
    assert link.group(1) not in stored.body  # the token is not kept in the outbox


def test_reminders_can_be_turned_off_per_call(call, teams):
    call.reminders_enabled = False
    call.save()
    assert reminders.plan_reminders() == [] and reminders.send_reminders() == 0


def test_other_calls_keep_their_reminders(programme, vocab, call, teams, coordinator):
    other = make_call(programme, slug="other-call")
    assert reminders.plan_reminders(call=other) == []
    assert len(reminders.plan_reminders(call=call)) == 24


def test_dry_run_lists_and_sends_nothing(teams):
    out = StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "24 reminder(s) would be sent" in text and "Envoi du rapport de mission" in text
    assert not Reminder.objects.exists() and not reminder_emails().exists()
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "12 e-mail(s) queued" in out.getvalue()


def test_the_daily_schedule_exists():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="teams.tasks.send_milestone_reminders")
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats < 0


def test_coordinator_sees_the_log(client, call, teams, coordinator):
    reminders.send_reminders()
    client.force_login(coordinator)
    page = client.get(reverse("teams:reminders", args=[call.slug])).content.decode()
    assert teams[0].members.all()[0].email in page
