"""{% translated obj "field" %}: content in the reader's language; a coordinator also sees
which texts still fall back to the main language, marked "(fr)"."""

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from commissions.models.translated import TranslatedText

register = template.Library()


@register.simple_tag(takes_context=True)
def translated(context, obj, field):
    text = obj.tr(field) if hasattr(obj, "tr") else TranslatedText(getattr(obj, field, ""))
    return marked(context, text)


@register.simple_tag(takes_context=True)
def marked(context, text):
    """The text, with the "(fr)" marker for staff when it is a fallback."""
    fallback = getattr(text, "fallback", None)
    user = context.get("user")
    if fallback and user is not None and getattr(user, "is_staff", False):
        name = translation.get_language_info(fallback)["name_translated"]
        return format_html(
            '{} <span class="badge text-bg-light fw-normal lang-fallback" title="{}">({})</span>',
            text,
            _("No translation yet: shown in %(language)s") % {"language": name},
            fallback,
        )
    return format_html("{}", text)
