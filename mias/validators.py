"""Validators shared by the apps' forms."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _


def in_our_years(value):
    """Dates the programme can mean: far-off years overflow the date arithmetic."""
    if value is not None and not 2000 <= value.year <= 2100:
        raise forms.ValidationError(_("Give a date between the years 2000 and 2100."))


def be_enterprise_number(value):
    """A Belgian enterprise number (BCE/KBO): 10 digits, the last two a modulo-97 check.

    Returns the ten digits; raises ValidationError with a message for the form.
    """
    text = re.sub(r"^BE", "", str(value).strip().upper())
    digits = re.sub(r"[ .\-]", "", text)
    if len(digits) == 9:  # old numbers were written without the leading 0
        digits = "0" + digits
    if not (digits.isascii() and digits.isdigit() and len(digits) == 10 and digits[0] in "01"):
        raise forms.ValidationError(
            _("A Belgian enterprise number has 10 digits, e.g. 0123.456.749.")
        )
    if 97 - int(digits[:8]) % 97 != int(digits[8:]):
        raise forms.ValidationError(_("This Belgian enterprise number fails its check digits."))
    return digits


def lu_rcs_number(value):
    """A Luxembourg trade and companies register number: a section letter and digits (B123456).

    Returns it normalised (upper case, no spaces); raises ValidationError otherwise.
    """
    text = str(value).upper().replace(" ", "")
    letter, digits = text[:1], text[1:]
    if not (letter.isalpha() and letter.isascii() and digits.isdigit() and len(digits) <= 7):
        raise forms.ValidationError(
            _("A Luxembourg RCS number is a letter and up to 7 digits, e.g. B123456 or F1234.")
        )
    return text
