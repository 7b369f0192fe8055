"""The milestone status badge: one tag for every page (cheaper than an include per cell)."""

from django import template
from django.utils.html import format_html

from teams.follow.following import STATUS_LABELS

register = template.Library()

# Colour plus a word, never colour alone; a sign for the two that call for attention.
SIGNS = {"done": "✓ ", "late": "! "}


@register.simple_tag
def status_badge(milestone):
    status = milestone.status
    return format_html(
        '<span class="status status-{}">{}{}</span>',
        status,
        SIGNS.get(status, ""),
        STATUS_LABELS[status],
    )


@register.filter
def webcal(url):
    """The feed's address with webcal://, which calendar applications open as a subscription."""
    from teams.follow.calendar import webcal_url

    return webcal_url(str(url))
