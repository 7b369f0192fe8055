"""What students and supervisors see: where to go after signing in, the ranking, a team."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from commissions.models import Call, ReviewAssignment
from commissions.rules import coordinated_programme_ids
from teams import rules
from teams.forming.allocating import selected_commissions
from teams.models import Student, Supervisor
from teams.people.forms import WishesForm
from teams.people.preferences import (
    RankingError,
    parse_order,
    ranked_order,
    save_ranking,
    save_wishes,
)


@login_required
def my_space(request):
    """Send each person to the page they come for."""
    user = request.user
    student = (
        Student.objects.filter(user=user).select_related("call", "team").order_by("-pk").first()
    )
    if student is not None:
        if student.team_id and student.team.published_at:
            return redirect("teams:team", pk=student.team_id)
        return redirect("teams:ranking", slug=student.call.slug)
    if Supervisor.objects.filter(user=user).exists():
        return redirect("teams:supervisor_home")
    if (
        user.is_superuser
        or coordinated_programme_ids(user)
        or ReviewAssignment.objects.filter(reviewer=user).exists()
    ):
        return redirect("commissions:workspace")
    messages.info(request, _("Your account has no role in a programme yet."))
    return redirect("/")


def _wants_json(request):
    return request.headers.get("x-requested-with") == "fetch"


@login_required
@require_http_methods(["GET", "POST"])
def ranking(request, slug):
    call = get_object_or_404(Call.objects.select_related("programme"), slug=slug)
    student = get_object_or_404(
        Student.objects.select_related("user"), call=call, user=request.user
    )
    commissions = list(selected_commissions(call).select_related("commission_type"))
    is_open = rules.ranking_open(call) and bool(commissions)
    error = None
    wishes_form = WishesForm(
        initial=dict(zip(("first", "second"), student.wishes.all(), strict=False)),
        student=student,
    )
    if request.method == "POST":
        if not is_open:
            error = _("Rankings are closed.")
        elif request.POST.get("part") == "wishes":
            wishes_form = WishesForm(request.POST, student=student)
            if wishes_form.is_valid():
                save_wishes(student, wishes_form.wished())
                messages.success(request, _("Your wished classmates are saved."))
                return redirect("teams:ranking", slug=call.slug)
        else:
            try:
                save_ranking(student, parse_order(request.POST, commissions))
            except RankingError as exc:
                error = str(exc)
            else:
                saved = _("Ranking saved (%(time)s)") % {
                    "time": date_format(timezone.localtime(student.ranked_at), "TIME_FORMAT")
                }
                if _wants_json(request):
                    return JsonResponse({"ok": True, "message": saved})
                messages.success(request, saved)
                return redirect("teams:ranking", slug=call.slug)
        if error and _wants_json(request):
            return JsonResponse({"ok": False, "message": error}, status=400)
    ordered = ranked_order(student, commissions)
    posted = {}
    if request.method == "POST" and error:
        posted = {c.pk: request.POST.get(f"rank-{c.pk}", "") for c in commissions}
    rows = [
        {"commission": c, "rank": i, "posted": posted.get(c.pk, str(i))}
        for i, c in enumerate(ordered, start=1)
    ]
    return render(
        request,
        "teams/people/ranking.html",
        {
            "call": call,
            "student": student,
            "rows": rows,
            "is_open": is_open,
            "error": error,
            "wishes_form": wishes_form,
            "has_ranked": student.ranked_at is not None,
        },
        status=400 if error else 200,
    )
