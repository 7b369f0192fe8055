"""Who may see which team and rank for which call: the teams' object-level checks."""

from django.utils import timezone

from commissions.rules import is_coordinator
from teams.forming.allocating import is_published


def is_member(user, team):
    return user.is_authenticated and any(s.user_id == user.pk for s in team.members.all())


def is_team_supervisor(user, team):
    return (
        user.is_authenticated
        and team.supervisor_id is not None
        and team.supervisor.user_id == user.pk
    )


def can_see_team(user, team):
    """Its members once published, its supervisor, and the call's coordinators."""
    if is_coordinator(user, team.call):
        return True
    if team.published_at is None:
        return False
    return is_member(user, team) or is_team_supervisor(user, team)


def ranking_open(call, now=None):
    """Students rank until the deadline, and not once the teams are out."""
    now = now or timezone.now()
    if call.preferences_deadline and now >= call.preferences_deadline:
        return False
    return not is_published(call)
