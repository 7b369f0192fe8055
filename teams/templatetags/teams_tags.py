"""Badges written by tags rather than includes: they run once per row or cell, where an
include's context push and template lookup cost more than the badge itself."""

from django import template
from django.utils.formats import date_format, time_format
from django.utils.html import format_html
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

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


@register.simple_tag
def when(milestone):
    """A milestone's day (or days) and hours, as the `date`/`time` filters would write them.

    A tag rather than an include: it runs once per milestone on the team and supervisor pages,
    where an include's context push and template lookup cost more than the formatting itself.
    """
    start = template_localtime(milestone.starts_at)
    end = template_localtime(milestone.ends_at) if milestone.ends_at else None
    day = date_format(start, "DATE_FORMAT")
    if milestone.all_day:
        if end and end.date() != start.date():
            return f"{day} – {date_format(end, 'DATE_FORMAT')}"
        return day
    hours = time_format(start, "TIME_FORMAT")
    if end:
        hours = f"{hours}–{time_format(end, 'TIME_FORMAT')}"
    return f"{day}, {hours}"


@register.filter
def webcal(url):
    """The feed's address with webcal://, which calendar applications open as a subscription."""
    from teams.follow.calendar import webcal_url

    return webcal_url(str(url))


@register.simple_tag
def account_badge(person):
    """Where a student's or supervisor's account stands: active, invited, or not invited."""
    if person.has_password:
        return format_html('<span class="badge text-bg-success">{}</span>', _("active"))
    if person.invited_at:
        return format_html('<span class="badge text-bg-secondary">{}</span>', _("invited"))
    return format_html('<span class="badge text-bg-warning">{}</span>', _("not invited"))
