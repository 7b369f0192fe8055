"""The coordinator's list of the year's students and supervisors: invitations, reminders."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from commissions.access import coordinator_view
from commissions.outbox.mail import fresh_key, queue_email
from mias.ids import parse_id
from teams.forming.allocating import selected_commissions
from teams.models import Student, Supervisor
from teams.people.accounts import invite as send_invitation
from teams.people.forms import DeadlineForm


@coordinator_view
@require_http_methods(["GET", "POST"])
def people(request, call):
    if request.method == "POST":
        form = DeadlineForm(request.POST)
        if form.is_valid():
            call.preferences_deadline = form.cleaned_data["preferences_deadline"]
            call.save(update_fields=["preferences_deadline"])
            messages.success(request, _("The ranking deadline is saved."))
            return redirect("teams:people", slug=call.slug)
    else:
        form = DeadlineForm(initial={"preferences_deadline": call.preferences_deadline})
    students = list(
        Student.objects.filter(call=call)
        .for_listing()
        .select_related("team__commission")
        .prefetch_related("wishes__user")
    )
    supervisors = list(
        Supervisor.objects.filter(call=call)
        .for_listing()
        .prefetch_related("sectors")
        .annotate(load=Count("teams"))
    )
    not_ranked = sum(1 for s in students if s.ranked_at is None)
    return render(
        request,
        "teams/people/people.html",
        {
            "call": call,
            "students": students,
            "supervisors": supervisors,
            "not_ranked": not_ranked,
            "selected_count": selected_commissions(call).count(),
            "deadline_form": form,
        },
    )


@coordinator_view
@require_POST
def invite(request, call):
    """Send the invitation again to one person, or to everyone not invited yet."""
    model = Supervisor if request.POST.get("kind") == "supervisor" else Student
    raw = request.POST.get("pk")
    if raw is not None:  # one person; a bad id is nobody, never "everyone"
        person = get_object_or_404(
            model.objects.select_related("user"), call=call, pk=parse_id(raw)
        )
        send_invitation(person, again=True)
        messages.success(
            request, _("Invitation sent again to %(email)s.") % {"email": person.email}
        )
    else:
        count = 0
        for model in (Student, Supervisor):
            for person in model.objects.filter(call=call, invited_at__isnull=True).select_related(
                "user"
            ):
                count += send_invitation(person)[1]
        messages.success(
            request,
            ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", count)
            % {"count": count},
        )
    return redirect("teams:people", slug=call.slug)


@coordinator_view
@require_POST
def remind(request, call):
    """Remind the students who have not ranked yet (one e-mail each per click)."""
    late = list(
        Student.objects.filter(call=call, ranked_at__isnull=True).select_related("user__profile")
    )
    for student in late:
        queue_email(
            fresh_key(f"ranking_reminder:{student.pk}"),
            "ranking_reminder",
            student.email,
            student.reader_language,
            call=call,
            params={"person": student.pk},
        )
    messages.success(
        request,
        ngettext(
            "Reminder sent to %(count)d student.", "Reminder sent to %(count)d students.", len(late)
        )
        % {"count": len(late)},
    )
    return redirect("teams:people", slug=call.slug)
