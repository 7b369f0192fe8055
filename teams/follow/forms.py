"""The follow-up's forms: documents, milestones, reminder settings, feedback."""

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from commissions.models import Call, KeyDate
from mias.validators import PlainTextMixin, in_our_years
from teams.follow.documents import ACCEPT
from teams.models import Feedback


class DeliverableForm(forms.Form):
    file = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, Word (.docx), PowerPoint (.pptx) or OpenDocument text (.odt)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ACCEPT


class MilestoneForm(PlainTextMixin, forms.Form):
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


class CallMilestoneForm(PlainTextMixin, forms.Form):
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


class FeedbackForm(PlainTextMixin, forms.ModelForm):
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
