"""Rosters and rankings: the roster upload, classmates wished, the ranking deadline."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mias.excel import XLSX
from mias.ids import IdChoiceField
from mias.validators import in_our_years
from teams.models import Student


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        allow_empty_file=True,  # an empty file gets the report's clearer message
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{XLSX}"}),
    )


class _StudentChoice(IdChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class WishesForm(forms.Form):
    first = _StudentChoice(queryset=Student.objects.none(), required=False, label=_("Classmate 1"))
    second = _StudentChoice(queryset=Student.objects.none(), required=False, label=_("Classmate 2"))

    def __init__(self, *args, student, **kwargs):
        super().__init__(*args, **kwargs)
        classmates = (
            Student.objects.filter(call_id=student.call_id).exclude(pk=student.pk).for_listing()
        )
        for name in ("first", "second"):
            self.fields[name].queryset = classmates
            self.fields[name].empty_label = _("— nobody —")

    def clean(self):
        data = super().clean()
        first, second = data.get("first"), data.get("second")
        if first and second and first == second:
            self.add_error("second", _("Choose two different classmates, or only one."))
        return data

    def wished(self):
        return [s for s in (self.cleaned_data.get("first"), self.cleaned_data.get("second")) if s]


class DeadlineForm(forms.Form):
    preferences_deadline = forms.DateTimeField(
        label=_("Students rank the commissions until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        validators=[in_our_years],
    )
