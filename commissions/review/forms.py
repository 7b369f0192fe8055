"""The reviewers' scoring form, the coordinators' notes and reviewer assignment."""

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from mias.ids import IdChoiceField, IdMultipleChoiceField
from mias.validators import NOTE_TEXT, PlainTextMixin


def _score_help(criterion):
    parts = [criterion.description] if criterion.description else []
    parts.append(
        _("From %(low)d (not at all) to %(high)d (fully).")
        % {"low": criterion.scale_min, "high": criterion.scale_max}
    )
    if criterion.eliminatory:
        parts.append(
            _("Eliminatory: a score of %(low)d makes the commission ineligible.")
            % {"low": criterion.scale_min}
        )
    return " ".join(str(p) for p in parts)


def commission_label(commission):
    return f"{commission.reference} — {commission.title}"


class ScoreForm(PlainTextMixin, forms.Form):
    """One reviewer's scores: a score and a comment per reviewer-scored criterion."""

    def __init__(self, *args, criteria, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        existing = existing or {}
        for criterion in self.criteria:
            previous = existing.get(criterion.pk)
            choices = [(s, str(s)) for s in range(criterion.scale_min, criterion.scale_max + 1)]
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=str(criterion),
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                help_text=_score_help(criterion),
                initial=previous.score if previous else None,
                error_messages={
                    "required": _("Give a score on this criterion."),
                    "invalid_choice": _("Choose a score on the scale."),
                },
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=NOTE_TEXT,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=previous.comment if previous else "",
            )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def scores(self):
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}

    def comments(self):
        return {c.pk: self.cleaned_data.get(f"comment_{c.pk}", "") for c in self.criteria}


class NoteForm(PlainTextMixin, forms.Form):
    text = forms.CharField(
        label=_("Note (visible to coordinators only)"),
        max_length=NOTE_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the note first.")},
    )


class AssignmentForm(forms.Form):
    reviewer = IdChoiceField(
        label=_("Reviewer"),
        queryset=None,
        empty_label=_("— choose —"),
        error_messages={"required": _("Choose a reviewer.")},
    )
    commissions = IdMultipleChoiceField(
        label=_("Commissions to review"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one commission.")},
    )

    def __init__(self, *args, reviewers, commissions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers
        self.fields["reviewer"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["commissions"].queryset = commissions
        self.fields["commissions"].label_from_instance = commission_label


class ReviewDeadlineForm(forms.ModelForm):
    """When the reviews close; late reviewers get one reminder two days before."""

    class Meta:
        from commissions.models import Call

        model = Call
        fields = ["review_deadline"]
        widgets = {
            "review_deadline": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="deadline", **kwargs)
        self.fields["review_deadline"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["review_deadline"].error_messages["invalid"] = _(
            "Enter a date and a time, e.g. 2030-05-31 18:00."
        )
