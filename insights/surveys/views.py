"""The end-of-year survey: students answer, coordinators send it and read the results, the
institution gives its last word on the oral presentation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from commissions.access import commission_for_token, coordinator_view
from commissions.intake.views import render_portal
from commissions.models import KeyDate
from insights.models import OralFeedback, PeerRating, SurveyAnswer
from insights.surveys import surveying
from insights.surveys.forms import OralFeedbackForm, SurveyForm
from teams.models import Student


def _student(user, slug):
    student = (
        Student.objects.select_related("call__programme", "team__commission", "user")
        .filter(user=user, call__slug=slug, team__published_at__isnull=False)
        .first()
    )
    if student is None:
        raise Http404  # not a student of a team of this call
    return student


@login_required
@require_http_methods(["GET", "POST"])
def survey(request, slug):
    student = _student(request.user, slug)
    teammates = list(
        Student.objects.filter(team_id=student.team_id).exclude(pk=student.pk).for_listing()
    )
    existing = SurveyAnswer.objects.filter(student=student).first()
    initial = {}
    if existing:
        initial = {k: getattr(existing, k) for k in SurveyForm.base_fields}
        initial.update(
            {
                f"peer_{peer}": score
                for peer, score in PeerRating.objects.filter(rater=student).values_list(
                    "peer_id", "score"
                )
            }
        )
    form = SurveyForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        teammates=teammates,
    )
    if request.method == "POST":
        if form.is_valid():
            surveying.save_answer(student, form.answer(), form.peers())
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect("insights:survey", slug=slug)
        status = 400
    else:
        status = 200
    return render(
        request,
        "insights/surveys/survey.html",
        {"student": student, "call": student.call, "form": form, "answered": existing},
        status=status,
    )


@coordinator_view
def results(request, call):
    return render(
        request,
        "insights/surveys/results.html",
        {"call": call, "coordinator": True, **surveying.results(call)},
    )


@coordinator_view
@require_POST
def send(request, call):
    count = surveying.send_survey(call, request.user)
    if count:
        messages.success(request, _("The survey goes to %(n)d student(s).") % {"n": count})
    else:
        messages.error(request, _("The survey was already sent, or no team is published yet."))
    return redirect("insights:survey_results", slug=call.slug)


@coordinator_view
@require_POST
def remind(request, call):
    count = surveying.send_reminder(call)
    if count is None:
        messages.error(
            request, _("The reminder goes once, after the survey: it cannot be sent now.")
        )
    else:
        messages.success(request, _("The reminder goes to %(n)d student(s).") % {"n": count})
    return redirect("insights:survey_results", slug=call.slug)


def oral_team(commission, now=None):
    """The commission's published team once its oral presentation has come, else None."""
    team = getattr(commission, "team", None)
    if team is None or team.published_at is None:
        return None
    oral = team.milestones.filter(key_date__kind=KeyDate.Kind.ORAL).order_by("starts_at").first()
    if oral is None or oral.starts_at > (now or timezone.now()):
        return None
    return team


@require_POST
def oral_feedback(request, token):
    commission = commission_for_token(token)
    team = oral_team(commission)
    if team is None:
        raise Http404
    form = OralFeedbackForm(request.POST)
    if not form.is_valid():
        return render_portal(request, commission, token, status=400, forms={"oral": form})
    OralFeedback.objects.update_or_create(
        team=team,
        defaults={**form.cleaned_data, "submitted_at": timezone.now()},
    )
    messages.success(request, _("Thank you for your word on the oral presentation."))
    return redirect("commissions:portal", token=token)
