"""Reminders of the milestones: who gets which step, and each step sent once per person.

The steps themselves (7 and 1 days before, overdue…) are computed by milestones.py; the
daily run is `teams.tasks.send_milestone_reminders` (a django-q2 schedule), and
`manage.py send_reminders` shows or sends the same plan.
"""

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from commissions.models import Call, KeyDate
from commissions.outbox.mail import queue_email
from teams.follow import milestones
from teams.follow.following import zone
from teams.models import Milestone, Reminder, Student


def _recipients(milestone, step):
    """Who a reminder of this milestone goes to: [(recipient key, address, language)]."""
    team = milestone.team

    def person(p):
        return f"user:{p.user_id}", p.email, p.reader_language

    members = [person(s) for s in team.members.all()]
    supervisor = [person(team.supervisor)] if team.supervisor_id else []
    if step == milestones.OVERDUE:
        # Overdue: only documents still to hand in, to those who hand them in and follow them.
        return members + supervisor if milestone.deliverable else []
    actor = milestone.key_date.actor
    if actor == KeyDate.Actor.STUDENTS:
        return members
    if actor == KeyDate.Actor.SUPERVISOR:
        return supervisor
    if actor == KeyDate.Actor.INSTITUTION:
        commission = team.commission
        institution = [("institution", commission.contact_email, commission.submitter_language)]
        return institution + members + supervisor
    return []


def plan_reminders(now=None, call=None):
    """Every reminder due now and not yet sent: [(milestone, step, recipient, address, …)]."""
    now = now or timezone.now()
    tz = zone()
    scope = Milestone.objects.filter(team__call=call) if call else Milestone.objects.all()
    candidates = list(
        scope.filter(
            done_at__isnull=True,
            team__published_at__isnull=False,
            team__call__status=Call.Status.RUNNING,
            team__call__reminders_enabled=True,
        )
        .select_related(
            "key_date",
            "team__call",
            "team__commission__institution",
            "team__supervisor__user__profile",
        )
        .prefetch_related(
            Prefetch("team__members", queryset=Student.objects.select_related("user__profile"))
        )
        .order_by("due_at", "pk")
    )
    sent = set(
        Reminder.objects.filter(milestone__in=candidates).values_list(
            "milestone_id", "recipient", "step"
        )
    )
    plan = []
    for m in candidates:
        step = milestones.reminder_step(
            m.due_at,
            m.done_at,
            now,
            tz,
            m.team.call.reminder_steps(),
            m.all_day,
            overdue=bool(m.deliverable),
        )
        if step is None:
            continue
        for recipient, address, language in _recipients(m, step):
            if address and (m.pk, recipient, step) not in sent:
                plan.append((m, step, recipient, address, language))
    return plan


def send_reminders(now=None, plan=None):
    """Queue one e-mail per person with their new reminders; each step goes once.

    The log row is written with the e-mail, in one transaction per person: a second run, or
    one racing this one, finds the row and sends nothing; a run that dies midway leaves
    whole e-mails behind it, never half of one.
    """
    by_recipient = defaultdict(list)
    for m, step, recipient, address, language in plan if plan is not None else plan_reminders(now):
        key = (recipient, address, m.team_id if recipient == "institution" else None)
        by_recipient[key].append((m, step, language))
    queued = 0
    for (recipient, address, _team), items in by_recipient.items():
        with transaction.atomic():
            made = []
            for m, step, _language in items:
                try:
                    with transaction.atomic():
                        made.append(
                            Reminder.objects.create(milestone=m, recipient=recipient, step=step)
                        )
                except IntegrityError:
                    continue  # another run sent this one
            if not made:
                continue
            first = items[0][0]
            email, _created = queue_email(
                f"reminder:{recipient}:{made[0].pk}",
                "milestone_reminder",
                address,
                items[0][2],
                commission=first.team.commission if recipient == "institution" else None,
                call=first.team.call,
                params={"reminders": [r.pk for r in made]},
            )
            Reminder.objects.filter(pk__in=[r.pk for r in made]).update(email=email)
            queued += 1
    return queued
