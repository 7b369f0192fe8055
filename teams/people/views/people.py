"""The coordinator's list of the year's students and supervisors: invitations, reminders."""

from django.contrib import messages
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from commissions.access import coordinator_view
from commissions.outbox.mail import fresh_key, queue_email
from commissions.paging import page_of, search_term
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
    students, filters = _students(request, call)
    supervisors = page_of(
        request,
        Supervisor.objects.filter(call=call)
        .for_listing()
        .prefetch_related("sectors")
        .annotate(load=Count("teams")),
        per_page=SUPERVISORS_PAGE_SIZE,
        param="spage",
    )
    counts = Student.objects.filter(call=call).aggregate(
        total=Count("pk"), not_ranked=Count("pk", filter=Q(ranked_at__isnull=True))
    )
    return render(
        request,
        "teams/people/people.html",
        {
            "call": call,
            "students": students,
            "filters": filters,
            "filtered": any(filters[k] for k in ("q", "ranked", "placed")),
            "student_total": counts["total"],
            "supervisors": supervisors,
            "not_ranked": counts["not_ranked"],
            "selected_count": selected_commissions(call).count(),
            "deadline_form": form,
        },
    )


STUDENTS_PAGE_SIZE = 50
SUPERVISORS_PAGE_SIZE = 50
STUDENT_SORTS = {
    "name": ("user__last_name", "user__first_name", "pk"),
    "email": ("user__email", "pk"),
    # NULLs placed explicitly: SQLite puts them first, PostgreSQL last.
    "team": (
        F("team__commission__title").asc(nulls_last=True),
        "user__last_name",
        "user__first_name",
        "pk",
    ),
    "ranked": (F("ranked_at").asc(nulls_first=True), "user__last_name", "user__first_name", "pk"),
}


def _students(request, call):
    """A page of the call's students, filtered and sorted in the database; unknown values of
    the query string count as none."""
    get = request.GET
    filters = {
        "q": search_term(request),
        "ranked": get.get("ranked") if get.get("ranked") in ("yes", "no") else "",
        "placed": get.get("placed") if get.get("placed") in ("yes", "no") else "",
        "sort": get.get("sort") if get.get("sort") in STUDENT_SORTS else "name",
    }
    students = Student.objects.filter(call=call).select_related("user__profile", "team__commission")
    if filters["q"]:
        q = filters["q"]
        students = students.filter(
            Q(user__last_name__icontains=q)
            | Q(user__first_name__icontains=q)
            | Q(user__email__icontains=q)
        )
    if filters["ranked"]:
        students = students.filter(ranked_at__isnull=filters["ranked"] == "no")
    if filters["placed"]:
        students = students.filter(team__isnull=filters["placed"] == "no")
    students = students.order_by(*STUDENT_SORTS[filters["sort"]]).prefetch_related("wishes__user")
    return page_of(request, students, per_page=STUDENTS_PAGE_SIZE), filters


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
