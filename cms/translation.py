"""A page per language: Wagtail's own translations (Locale, copy_for_translation).

The translations of a page share its address: Wagtail serves the one in the reader's
language (LocaleMiddleware), so the language menu leads to the page's translation.
"""

from wagtail.models import Locale


def translate_page(page, language, **fields):
    """The page's translation into this language, made (with its parents) if missing,
    with these fields set, and published."""
    locale, _created = Locale.objects.get_or_create(language_code=language)
    translated = page.get_translation_or_none(locale)
    if translated is None:
        translated = page.copy_for_translation(locale, copy_parents=True)
    translated = translated.specific
    for name, value in fields.items():
        setattr(translated, name, value)
    translated.save_revision().publish()
    return translated
