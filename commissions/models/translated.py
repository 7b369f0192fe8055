"""Content in several languages: a `translations` field {language: {field: text}} beside the
field written in the programme's main language (French, the site's default language).

`obj.tr("label")` gives the text in the reader's language, or the main language's when no
translation exists; the result knows which language it fell back to, so coordinators see a
small "(fr)" marker ({% translated obj "label" %}, commissions_tags).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class TranslatedText(str):
    """A text, and the language it fell back to (None when in the reader's language)."""

    fallback: str | None = None

    def __new__(cls, text, fallback=None):
        obj = super().__new__(cls, text)
        obj.fallback = fallback
        return obj


def main_language():
    return settings.LANGUAGE_CODE


def validate_translations(value):
    codes = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, dict):
        raise ValidationError(_('Write {"en": {"label": "…"}, "de": {"label": "…"}}.'))
    for code, fields in value.items():
        if code not in codes:
            raise ValidationError(
                _("Unknown language “%(code)s”: use %(codes)s.")
                % {"code": code, "codes": ", ".join(sorted(codes))}
            )
        if not isinstance(fields, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in fields.items()
        ):
            raise ValidationError(_('Write {"en": {"label": "…"}, "de": {"label": "…"}}.'))


def in_every_language(obj, field="name"):
    """The field in every site language, kept with the text (mias.i18n.named): explanations
    stored as data then name a sector, type or context in the reader's language."""
    from mias.i18n import named

    texts = {code: str(obj.tr(field, code)) for code, _name in settings.LANGUAGES}
    return named(texts, str(obj.tr(field, main_language())))


class Translated(models.Model):
    """Abstract: the translations of some text fields, read with tr()."""

    translated_fields: tuple[str, ...] = ()

    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        validators=[validate_translations],
        help_text=_(
            'The texts in other languages, e.g. {"en": {"label": "…"}, "de": {"label": "…"}}. '
            "A missing one is shown in French."
        ),
    )

    class Meta:
        abstract = True

    def tr(self, field, language=None):
        language = language or translation.get_language() or main_language()
        base = getattr(self, field) or ""
        if language == main_language() or not base:
            return TranslatedText(base)
        text = (self.translations or {}).get(language, {}).get(field, "")
        if text:
            return TranslatedText(text)
        return TranslatedText(base, fallback=main_language())
