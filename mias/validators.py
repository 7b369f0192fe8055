"""Validators shared by the apps' forms and models: dates, bounded text, control characters."""

import re

from django import forms
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Upper bounds of free text. A consultancy question of 5,000 characters is two pages; the
# similarity, the exports and the pages stay fast whatever a visitor posts.
LONG_TEXT = 5000
NOTE_TEXT = 4000

# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators: they break
# one-line formats (an iCalendar line, an e-mail header, a spreadsheet cell) and mean nothing
# in a name or a title. Tab, LF and CR are allowed in multi-line text only (CR is normalised).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_LINE_BREAKS = re.compile("[\t\r\n]+")


def in_our_years(value):
    """Dates the programme can mean: far-off years overflow the date arithmetic."""
    if value is not None and not 2000 <= value.year <= 2100:
        raise forms.ValidationError(_("Give a date between the years 2000 and 2100."))


def clean_line(value):
    """One line of text: control characters dropped, tabs and line breaks become spaces."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", value))


def clean_text(value):
    """Multi-line text: line breaks kept (as LF), other control characters dropped."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def bounded_text(verbose_name, max_length=LONG_TEXT, **kwargs):
    """A model TextField whose length is checked (Django only passes it to the form field)."""
    return models.TextField(
        verbose_name,
        max_length=max_length,
        validators=[MaxLengthValidator(max_length)],
        **kwargs,
    )


class PlainTextMixin:
    """A form whose text fields never receive control characters.

    The bound data is cleaned before anything reads it, so the field checks, the form's own
    checks and the re-displayed form all see the same text. Textareas keep their line breaks;
    one-line inputs (names, titles) keep none.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            return
        data = self.data.copy()
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField) or isinstance(
                field.widget, forms.PasswordInput
            ):
                continue
            clean = clean_text if isinstance(field.widget, forms.Textarea) else clean_line
            key = self.add_prefix(name)
            if key not in data:
                continue
            if hasattr(data, "setlist"):
                data.setlist(key, [clean(v) for v in data.getlist(key)])
            else:
                data[key] = clean(data[key])
        self.data = data


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
