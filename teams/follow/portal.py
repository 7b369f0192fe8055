"""The institution's part of the follow-up, on its private link: team, dates, report, feedback.

The commissions app owns the page; `team_section` adds the team to it (connected in
`TeamsConfig.ready` to `commissions.signals.portal_section`)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commissions.access import commission_for_token
from commissions.intake.views import render_portal
from commissions.models import KeyDate
from teams.follow import calendar, following
from teams.follow.forms import FeedbackForm
from teams.follow.views import serve_deliverable
from teams.models import Deliverable, Team


def published_team(commission):
    """The commission's team once published; None before."""
    return Team.objects.filter(commission=commission).published().first()


def team_section(sender, request, commission, token, forms, **kwargs):
    """The team part of the institution's page; None until the team is published."""
    context = portal_context(commission, forms.get("feedback"))
    if not context:
        return None
    context |= {"commission": commission, "token": token}
    return render_to_string("teams/follow/_portal_team.html", context, request=request)


def portal_context(commission, feedback_form=None):
    team = (
        Team.objects.filter(commission=commission)
        .published()
        .select_related("supervisor__user", "commission__institution")
        .with_members()
        .first()
    )
    if team is None:
        return {}
    items = following.team_timeline(team)
    feedback = following.feedback_of(team)
    can_give = following.feedback_open(team, items)
    if feedback_form is None and can_give:
        feedback_form = FeedbackForm(instance=feedback)
    for m in items:
        versions = [d for d in m.deliverables.all() if d.sent_at]  # drafts stay the team's
        m.latest = versions[0] if versions else None
    # The institution's own next action first, not someone else's check-point.
    own = [m for m in items if m.key_date.actor == KeyDate.Actor.INSTITUTION]
    return {
        "team": team,
        "members": team.members.all(),
        "items": items,
        "next": following.next_due(own),
        "feedback_due": can_give and feedback is None,
        "coming": [m for m in items if m.status in ("upcoming", "due_soon")][:3],
        "feedback": feedback,
        "feedback_form": feedback_form if can_give else None,
        "feed_url": calendar.feed_url(calendar.feed_for(commission=commission)),
    }


def download(request, token, deliverable):
    commission = commission_for_token(token, request)
    team = published_team(commission)
    item = get_object_or_404(
        Deliverable.objects.select_related("milestone"),
        pk=deliverable,
        milestone__team=team,
        sent_at__isnull=False,
    )
    # The page shows the latest version of each document: earlier ones stay the team's.
    if Deliverable.objects.filter(milestone=item.milestone_id, version__gt=item.version).exists():
        raise Http404(_("This version was replaced by a newer one."))
    return serve_deliverable(item)


@require_POST
def feedback(request, token):
    commission = commission_for_token(token, request)
    team = published_team(commission)
    items = following.team_timeline(team) if team else []
    if team is None or not following.feedback_open(team, items):
        messages.warning(request, _("Feedback opens once the team has sent its report."))
        return redirect("commissions:portal", token=token)
    form = FeedbackForm(request.POST, instance=following.feedback_of(team))
    if not form.is_valid():
        return render_portal(request, commission, token, forms={"feedback": form})
    _feedback, created = following.save_feedback(team, form.cleaned_data, items)
    messages.success(
        request,
        _("Thank you: your feedback is sent to the team and its supervisor.")
        if created
        else _("Your feedback is updated."),
    )
    return redirect("commissions:portal", token=token)


@require_POST
def feed_renew(request, token):
    commission = commission_for_token(token, request)
    if request.POST.get("confirm") != "1":
        messages.error(request, calendar.NOT_CONFIRMED)
    else:
        calendar.renew(commission=commission)
        messages.success(request, calendar.RENEWED)
    return redirect("commissions:portal", token=token)
