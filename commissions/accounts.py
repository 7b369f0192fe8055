"""The account's language: chosen on first sign-in from the browser, changeable, and used for
everything the account reads away from a page it asked for (e-mails, calendar feeds)."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

from commissions.models import Profile

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def supported(code):
    """A code of the site's languages ("de-AT" → "de"), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def language_of(user, fallback=None):
    """The account's language; else the fallback (a person's or the request's); else French.

    Reads user.profile: pass users fetched with select_related("profile") (or
    "user__profile") in loops, so it costs no query.
    """
    profile = getattr(user, "profile", None) if user is not None else None
    chosen = profile.language if profile is not None else ""
    return chosen or supported(fallback) or settings.LANGUAGE_CODE


def set_language(user, code):
    code = supported(code)
    if code is None:
        raise ValueError("unsupported language")
    Profile.objects.update_or_create(user=user, defaults={"language": code})
    return code


@receiver(user_logged_in, dispatch_uid="commissions-account-language")
def remember_language(sender, request, user, **kwargs):
    """First sign-in: keep the browser's language. Every sign-in: the pages follow the account.

    mias.language.AccountLanguageMiddleware turns request.account_language into the cookie
    that LocaleMiddleware reads on the next requests.
    """
    browser = supported(getattr(request, "LANGUAGE_CODE", None))  # set by LocaleMiddleware
    profile = Profile.objects.filter(user=user).first()
    if profile is None or not profile.language:
        if browser is None:  # not signed in from a browser (a test's force_login): no guess
            return
        profile, _created = Profile.objects.update_or_create(
            user=user, defaults={"language": browser}
        )
    request.account_language = profile.language
