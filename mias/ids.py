"""Database ids from request input: digits that fit a 64-bit integer, or nothing.

A longer number is no id at all; left to the database it raises OverflowError (SQLite) or
DataError (PostgreSQL), which would be a 500.
"""

from django import forms
from django.core.exceptions import ValidationError

MAX_ID = 2**63 - 1


def parse_id(value):
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or not text.isascii() or len(text) > 19 or int(text) > MAX_ID:
        return None
    return int(text)


class IdConverter:
    """`<id:pk>` in URLs: like `<int:pk>`, but a number too long for a key does not match."""

    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not self.to_field_name and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not self.to_field_name and parse_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)
