"""Roster import: upload, row-by-row report, confirm; the template workbook."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from commissions.access import coordinator_view
from mias.excel import xlsx_response
from mias.uploads import limit_upload
from teams.models import RosterImport
from teams.people import importing, roster
from teams.people.forms import RosterUploadForm


def _kind(kind):
    if kind not in RosterImport.Kind.values:
        raise Http404
    return kind


def _page(request, call, kind, form, **extra):
    recent = list(
        call.roster_imports.filter(kind=kind).select_related("created_by").order_by("-pk")[:10]
    )
    context = {
        "call": call,
        "kind": kind,
        "kind_label": RosterImport.Kind(kind).label,
        "other_kind": roster.SUPERVISORS if kind == roster.STUDENTS else roster.STUDENTS,
        "form": form,
        "columns": [(roster.label(name), required) for name, required in roster.COLUMNS[kind]],
        "recent": recent,
        "max_bytes": roster.MAX_BYTES,
        "max_rows": roster.MAX_ROWS,
        **extra,
    }
    return render(request, "teams/people/roster_upload.html", context)


@coordinator_view
@require_http_methods(["GET", "POST"])
@limit_upload(lambda: roster.MAX_BYTES)
def upload(request, call, kind):
    kind = _kind(kind)
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES)
        if form.is_valid():
            roster_import = importing.record_upload(
                call, kind, form.cleaned_data["file"], request.user
            )
            return redirect("teams:roster_review", slug=call.slug, pk=roster_import.pk)
    else:
        form = RosterUploadForm()
    return _page(request, call, kind, form)


@coordinator_view
@require_GET
def template(request, call, kind):
    kind = _kind(kind)
    title = RosterImport.Kind(kind).label
    sectors = [name for _pk, name in importing.sector_choices()]
    filename = f"{slugify(title)}-{call.academic_year}.xlsx"
    return xlsx_response(roster.template_workbook(kind, title, sectors), filename)


@coordinator_view
@require_http_methods(["GET", "POST"])
def review(request, call, pk):
    roster_import = get_object_or_404(
        RosterImport.objects.select_related("created_by"), pk=pk, call=call
    )
    if request.method == "POST":
        try:
            outcome = importing.apply(roster_import)
        except importing.ImportRefused as exc:
            messages.warning(request, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Import confirmed: %(created)d added, %(updated)d updated, "
                    "%(unchanged)d unchanged. Invitations queued: %(invited)d."
                )
                % outcome,
            )
        return redirect("teams:roster_review", slug=call.slug, pk=roster_import.pk)
    context = {
        "call": call,
        "roster_import": roster_import,
        "kind": roster_import.kind,
        "errors": importing.report_errors(roster_import),
        "form": RosterUploadForm(),
        "max_bytes": roster.MAX_BYTES,
    }
    if not roster_import.errors and roster_import.applied_at is None:
        entries, counts = importing.preview(roster_import)
        context.update(
            created=[e for e in entries if e["action"] == "create"],
            updated=[e for e in entries if e["action"] == "update"],
            unchanged=[e for e in entries if e["action"] == "unchanged"],
            counts=counts,
        )
    return render(request, "teams/people/roster_review.html", context)
