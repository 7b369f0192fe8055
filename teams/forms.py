from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from commissions.models import Call, KeyDate
from mias.ids import IdChoiceField
from teams.models import AllocationRun, Feedback, Student


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


class RunForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Objective"),
        choices=AllocationRun.Mode.choices,
        initial=AllocationRun.Mode.RANK_MAXIMAL,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text=_(
            "The first gives as many students as possible their first choice, then their "
            "second… The second avoids low choices first: it compares who gets the worst "
            "placement."
        ),
    )
    balance = forms.BooleanField(
        label=_("Balance backgrounds and the languages the commissions need"),
        required=False,
        initial=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        help_text=_("Only among teams that are equally good for the students' choices."),
    )


def in_our_years(value):
    """Dates the programme can mean: far-off years overflow the date arithmetic."""
    if value is not None and not 2000 <= value.year <= 2100:
        raise forms.ValidationError(_("Give a date between the years 2000 and 2100."))


class DeadlineForm(forms.Form):
    preferences_deadline = forms.DateTimeField(
        label=_("Students rank the commissions until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        validators=[in_our_years],
    )


class DeliverableForm(forms.Form):
    file = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, Word (.docx), PowerPoint (.pptx) or OpenDocument text (.odt)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from teams.documents import ACCEPT

        self.fields["file"].widget.attrs["accept"] = ACCEPT


class MilestoneForm(forms.Form):
    """The supervisor's (or a coordinator's) hand on one milestone: done, and a note."""

    done = forms.BooleanField(label=_("Done"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MoveForm(forms.Form):
    """A coordinator moves one team's milestone."""

    date = forms.DateField(
        label=_("New date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[in_our_years],
    )
    time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Empty: the same time as before."),
    )


class CallMilestoneForm(forms.Form):
    """A milestone for every team of the call."""

    label = forms.CharField(label=_("Label"), max_length=200)
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[in_our_years],
    )
    time = forms.TimeField(
        label=_("Time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Empty: all day."),
    )
    location = forms.CharField(label=_("Location"), max_length=255, required=False)
    actor = forms.ChoiceField(label=_("Who acts"), choices=KeyDate.Actor.choices)
    hand_in = forms.BooleanField(label=_("The students hand in a document"), required=False)


class ReminderSettingsForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = ["reminders_enabled", "reminder_days"]


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = Feedback
        fields = ["usefulness", "improve", "comments"]
        widgets = {
            "usefulness": forms.RadioSelect,
            "improve": forms.Textarea(attrs={"rows": 3}),
            "comments": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {
            "usefulness": _("How useful is the report for your institution?"),
            "improve": _("What should the students improve before the presentation?"),
            "comments": _("Anything else you wish to tell the team"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["usefulness"].choices = Feedback.Usefulness.choices  # no blank radio
        for name in ("improve", "comments"):
            self.fields[name].validators.append(MaxLengthValidator(5000))
