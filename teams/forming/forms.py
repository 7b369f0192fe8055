"""The settings of an allocation run."""

from django import forms
from django.utils.translation import gettext_lazy as _

from teams.models import AllocationRun


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
