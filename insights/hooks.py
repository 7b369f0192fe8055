"""What insights adds to the pages of the apps below (receivers of commissions' signals)."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from insights.models import OralFeedback, SurveyAnswer, SurveyRound
from insights.organisations.history import earlier_commissions
from insights.surveys.forms import OralFeedbackForm
from insights.surveys.views import oral_team


def workspace_links(sender, programme, user, **kwargs):
    return [
        (_("Archive of every year"), reverse("insights:archive", args=[programme.slug])),
        (_("Organisations"), reverse("insights:organisations", args=[programme.slug])),
        (_("Analytics"), reverse("insights:analytics", args=[programme.slug])),
        (_("Library of past consultancies"), reverse("insights:library", args=[programme.slug])),
    ]


def review_section(sender, request, commission, **kwargs):
    """First-time or returning: the institution's earlier commissions to the programme."""
    return render_to_string(
        "insights/organisations/_marker.html",
        {
            "commission": commission,
            "earlier": earlier_commissions(commission),
            "programme": commission.call.programme,
        },
        request=request,
    )


def call_links(sender, call, **kwargs):
    return [
        (_("Survey"), reverse("insights:survey_results", args=[call.slug]), "survey"),
        (_("Prepare the next call"), reverse("insights:prepare", args=[call.slug]), "prepare"),
    ]


def portal_section(sender, request, commission, token, forms, **kwargs):
    """The institution's last word, once its team's oral presentation has come."""
    team = oral_team(commission)
    if team is None:
        return None
    given = OralFeedback.objects.filter(team=team).first()
    form = forms.get("oral") or OralFeedbackForm(
        initial={"usefulness": given.usefulness, "comment": given.comment} if given else None
    )
    return render_to_string(
        "insights/surveys/_portal_oral.html",
        {"form": form, "given": given, "token": token},
        request=request,
    )


def dashboard_section(sender, request, team, is_member, **kwargs):
    """On a member's team page, once the survey went: the way to it, and whether answered."""
    if (
        not is_member
        or not SurveyRound.objects.filter(call_id=team.call_id, sent_at__isnull=False).exists()
    ):
        return None
    answered = SurveyAnswer.objects.filter(
        student__user=request.user, call_id=team.call_id
    ).exists()
    return render_to_string(
        "insights/surveys/_dashboard.html",
        {"call": team.call, "answered": answered},
        request=request,
    )
