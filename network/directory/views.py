"""The coordinators' upload of a directory (JSON or the Excel template) into the registry."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from commissions.access import registry_view
from commissions.models import Institution
from mias.excel import xlsx_response
from network.directory import importing, parsing
from network.models import OrganisationVector

MAX_BYTES = 5 * 1024 * 1024


class DirectoryForm(forms.Form):
    file = forms.FileField(
        label=_("Directory file (.json or .xlsx)"),
        error_messages={"required": _("Choose a .json or .xlsx file.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        if not upload.name.lower().endswith((".json", ".xlsx")):
            raise forms.ValidationError(_("Upload a .json or .xlsx file."))
        return upload


@registry_view
@require_http_methods(["GET", "POST"])
def upload(request):
    form = DirectoryForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        parsed = importing.read(upload.read(), upload.name)
        errors = parsed.errors
        if not errors:
            report = importing.apply(parsed)
            messages.success(
                request,
                _(
                    "Directory imported: %(created)s new, %(updated)s updated, "
                    "%(unchanged)s unchanged organisations; %(events)s events."
                )
                % report,
            )
            return redirect("network:directory_upload")
        messages.error(
            request,
            ngettext(
                "Nothing was imported: %(count)d problem to correct.",
                "Nothing was imported: %(count)d problems to correct.",
                len(errors),
            )
            % {"count": len(errors)},
        )
    return render(
        request,
        "network/directory/upload.html",
        {
            "form": form,
            "errors": errors[:200],
            "more_errors": max(len(errors) - 200, 0),
            "columns": parsing.ORGANISATION_COLUMNS,
            "event_columns": parsing.EVENT_COLUMNS,
            # Indexing runs in the background (a task per organisation): how far it got.
            "indexed": OrganisationVector.objects.count(),
            "organisations": Institution.objects.count(),
        },
        status=400 if errors else 200,
    )


@registry_view
@require_GET
def template(request):
    return xlsx_response(importing.workbook_template(), "organisations.xlsx")
