"""The settings of a selection run."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commissions.review.forms import commission_label
from mias.ids import IdMultipleChoiceField


class SelectionParamsForm(forms.Form):
    places = forms.IntegerField(label=_("Places"), min_value=1, max_value=500)
    merit_weight = forms.FloatField(
        label=_("Weight of merit"),
        min_value=0,
        max_value=100,
        help_text=_("Multiplies each commission's merit (0–4)."),
    )
    sector_reward = forms.FloatField(
        label=_("Reward per sector covered"),
        min_value=0,
        max_value=100,
        help_text=_("1 means a new sector is worth one point of merit."),
    )
    type_reward = forms.FloatField(
        label=_("Reward per type of commission covered"), min_value=0, max_value=100
    )
    context_reward = forms.FloatField(
        label=_("Reward per intervention context covered"), min_value=0, max_value=100
    )
    similarity_penalty = forms.FloatField(
        label=_("Penalty per pair of similar problems"), min_value=0, max_value=100
    )
    similarity_threshold = forms.FloatField(
        label=_("Similarity threshold (%)"),
        min_value=1,
        max_value=100,
        help_text=_("Two problems at least this similar count as a pair."),
    )
    sector_cap = forms.IntegerField(
        label=_("At most this many per sector"),
        min_value=1,
        max_value=500,
        required=False,
    )
    waitlist_size = forms.IntegerField(
        label=_("Length of the waiting list"),
        min_value=0,
        max_value=500,
        help_text=_("The others are told they are not selected."),
    )
    pinned = IdMultipleChoiceField(
        label=_("Pinned (always selected)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    excluded = IdMultipleChoiceField(
        label=_("Excluded (never selected)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, commissions, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("pinned", "excluded"):
            self.fields[name].queryset = commissions
            self.fields[name].label_from_instance = commission_label

    def clean(self):
        cleaned = super().clean()
        both = set(cleaned.get("pinned") or []) & set(cleaned.get("excluded") or [])
        if both:
            raise forms.ValidationError(
                _("A commission cannot be both pinned and excluded: %(refs)s")
                % {"refs": ", ".join(c.reference for c in both)}
            )
        return cleaned

    def params(self):
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("pinned", "excluded")}
        data["pinned"] = sorted(c.pk for c in self.cleaned_data.get("pinned") or [])
        data["excluded"] = sorted(c.pk for c in self.cleaned_data.get("excluded") or [])
        return data
