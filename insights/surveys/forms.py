from django import forms
from django.utils.translation import gettext_lazy as _

SCALE = [(str(v), str(v)) for v in range(1, 6)]
MAX_TEXT = 4000


class RatingField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=SCALE,
            coerce=int,
            widget=forms.RadioSelect(attrs={"class": "form-check-inline"}),
            error_messages={"required": _("Choose a mark from 1 to 5.")},
            **kwargs,
        )


class SurveyForm(forms.Form):
    commission_rating = RatingField(
        label=_("The commission: an interesting, workable question (1 = not at all, 5 = very)")
    )
    supervisor_rating = RatingField(label=_("Your supervisor's guidance (1 = poor, 5 = excellent)"))
    team_rating = RatingField(label=_("How your team worked together (1 = poorly, 5 = very well)"))
    satisfaction = RatingField(label=_("The lab as a whole (1 = disappointed, 5 = very satisfied)"))
    learnt = forms.CharField(
        label=_("What did you learn?"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Tell us in a few words what you learnt.")},
    )
    comments = forms.CharField(
        label=_("Anything else?"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, teammates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.teammates = list(teammates)
        for mate in self.teammates:
            self.fields[f"peer_{mate.pk}"] = forms.TypedChoiceField(
                label=mate.name,
                choices=[("", _("I'd rather not say"))] + SCALE,
                coerce=int,
                empty_value=None,
                required=False,
            )

    def clean(self):
        data = super().clean()
        for name in ("learnt", "comments"):
            if name in data:
                data[name] = data[name].replace("\x00", "")
        return data

    def answer(self):
        return {
            k: self.cleaned_data[k]
            for k in (
                "commission_rating",
                "supervisor_rating",
                "team_rating",
                "satisfaction",
                "learnt",
                "comments",
            )
        }

    def peers(self):
        return {
            mate.pk: self.cleaned_data[f"peer_{mate.pk}"]
            for mate in self.teammates
            if self.cleaned_data.get(f"peer_{mate.pk}")
        }

    def peer_fields(self):
        return [self[f"peer_{mate.pk}"] for mate in self.teammates]


class OralFeedbackForm(forms.Form):
    usefulness = RatingField(
        label=_("How useful was the team's oral presentation to you? (1 = not, 5 = extremely)")
    )
    comment = forms.CharField(
        label=_("A last word for the team (optional)"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_comment(self):
        return self.cleaned_data["comment"].replace("\x00", "")
