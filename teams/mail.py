"""The teams app's e-mails: what each kind needs to render, registered with the outbox."""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from commissions.outbox.mail import absolute, institution_link, register
from teams.follow.following import annotate
from teams.models import Reminder, Student, Supervisor, Team


def set_password_link(user):
    """Django's password-reset link: it dies once the password is set."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute(reverse("password_set", args=[uid, token])), token


def _person(model, email):
    return model.objects.select_related("user", "call__programme").get(pk=email.params["person"])


def _invitation(model):
    def build(email, issue_link=True):
        person = _person(model, email)
        context = {"person": person, "call": person.call, "login": absolute(reverse("login"))}
        if issue_link:
            context["link"], secret = set_password_link(person.user)
            return context, [secret]
        context["link"] = absolute(reverse("password_set", args=["…", "…"]))
        return context, []

    return build


@register("password_reset", _("New password"))
def _password_reset(email, issue_link=True):
    user = get_user_model().objects.get(pk=email.params["user"])
    if issue_link:
        link, secret = set_password_link(user)
        return {"user": user, "link": link}, [secret]
    return {"user": user, "link": absolute(reverse("password_set", args=["…", "…"]))}, []


register("invitation_student", _("Invitation (student)"))(_invitation(Student))
register("invitation_supervisor", _("Invitation (supervisor)"))(_invitation(Supervisor))


@register("ranking_reminder", _("Reminder to rank the commissions"))
def _ranking_reminder(email, issue_link=True):
    student = _person(Student, email)
    link = absolute(reverse("teams:ranking", args=[student.call.slug]))
    return {"person": student, "call": student.call, "link": link}, []


def _team(pk):
    return (
        Team.objects.select_related(
            "call__programme", "commission__institution", "supervisor__user"
        )
        .with_members()
        .get(pk=pk)
    )


@register("team_student", _("Team published (student)"))
def _team_student(email, issue_link=True):
    student = _person(Student, email)
    team = _team(email.params["team"])
    link = absolute(reverse("teams:team", args=[team.pk]))
    return {"person": student, "call": team.call, "team": team, "link": link}, []


@register("team_supervisor", _("Teams published (supervisor)"))
def _team_supervisor(email, issue_link=True):
    supervisor = _person(Supervisor, email)
    teams = list(supervisor.teams.select_related("commission__institution").with_members())
    link = absolute(reverse("teams:supervisor_home"))
    return {"person": supervisor, "call": supervisor.call, "teams": teams, "link": link}, []


@register("team_institution", _("Team published (institution)"))
def _team_institution(email, issue_link=True):
    team = _team(email.params["team"])
    context = {"team": team, "call": team.call, "commission": team.commission}
    context["link"], secrets = institution_link(team.commission, issue_link)
    return context, secrets


@register("milestone_reminder", _("Milestone reminder"))
def _milestone_reminder(email, issue_link=True):
    reminders = list(
        Reminder.objects.filter(pk__in=email.params.get("reminders", []))
        .select_related(
            "milestone__key_date", "milestone__team__commission", "milestone__team__call__programme"
        )
        .order_by("milestone__due_at", "pk")
    )
    items = annotate([r.milestone for r in reminders])
    for reminder, item in zip(reminders, items, strict=True):
        item.step = reminder.step
    call = items[0].team.call if items else email.call
    context = {"items": items, "call": call, "institution": email.commission_id is not None}
    if email.commission_id:
        context["link"], secrets = institution_link(email.commission, issue_link)
        return context, secrets
    context["link"] = absolute(reverse("teams:my_space"))
    return context, []
