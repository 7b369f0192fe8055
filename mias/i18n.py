"""Translation for the pure decision modules, which must also run without Django settings.

The optimisers format thousands of explanations from a few dozen messages, so a message is
looked up once per language. Without configured settings (unit tests without a database,
benches) the English text is returned as it is.
"""

_TRANSLATED: dict[tuple, str] = {}


def _configured():
    try:
        from django.conf import settings  # at call time: importing this module needs no Django

        return settings.configured
    except Exception:
        return False


def gettext(message: str) -> str:
    if not _configured():
        return message
    from django.utils.translation import get_language
    from django.utils.translation import gettext as django_gettext

    key = (get_language(), message)
    text = _TRANSLATED.get(key)
    if text is None:
        text = _TRANSLATED[key] = django_gettext(message)
    return text


def ngettext(singular: str, plural: str, number: int) -> str:
    if not _configured():
        return singular if number == 1 else plural
    from django.utils.translation import ngettext as django_ngettext

    return django_ngettext(singular, plural, number)


_SEPARATORS: dict[str, str] = {}


def decimal(value: float, places: int = 2) -> str:
    """A number with `places` decimals in the reader's locale ("4,00" in French, "4.00" in English).

    Explanations are composed in plain modules, next to badges that Django formats: both must
    write numbers the same way. The separator is looked up once per language.
    """
    text = f"{value:.{places}f}"
    if not _configured():
        return text
    from django.utils.formats import get_format
    from django.utils.translation import get_language

    language = get_language() or ""
    separator = _SEPARATORS.get(language)
    if separator is None:
        separator = _SEPARATORS[language] = get_format("DECIMAL_SEPARATOR")
    return text.replace(".", separator)
