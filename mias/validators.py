"""Validators shared by the apps' forms."""

from django import forms
from django.utils.translation import gettext_lazy as _


def in_our_years(value):
    """Dates the programme can mean: far-off years overflow the date arithmetic."""
    if value is not None and not 2000 <= value.year <= 2100:
        raise forms.ValidationError(_("Give a date between the years 2000 and 2100."))
