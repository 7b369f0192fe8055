"""What the workspace pages share: the tabs that apps above add (commissions.signals.call_links),
the pager of long lists, and the dates of their rows."""

from functools import lru_cache

from django import template
from django.utils import dateformat, formats

from commissions.models import Call
from commissions.signals import call_links

register = template.Library()


@register.simple_tag
def extra_call_links(call):
    """[(label, url, name)] from every receiver of call_links, in the order they answer."""
    return [
        link
        for _receiver, found in call_links.send(sender=Call, call=call)
        for link in (found or [])
    ]


@register.inclusion_tag("commissions/_pager.html", takes_context=True)
def pager(context, page, label, param="page", anchor=""):
    """Links to the first, previous, next and last pages of a long list.

    Each link keeps the request's other parameters (filters, sort, another list's page), so
    paging never loses them; `param` names this list's page so two lists can page apart.
    """
    query = context["request"].GET.copy()

    def url(number):
        query[param] = number
        return f"?{query.urlencode()}{anchor}"

    last = page.paginator.num_pages
    return {
        "page": page,
        "label": label,
        "first_url": url(1) if page.number > 2 else "",
        "previous_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
        "last_url": url(last) if page.number < last - 1 else "",
    }


@lru_cache(maxsize=16)
def _pieces(format_string):
    """A date format cut once into (is a format character, text) pieces."""
    return tuple(
        (True, piece) if i % 2 else (False, dateformat.re_escaped.sub(r"\1", piece))
        for i, piece in enumerate(dateformat.re_formatchars.split(format_string))
        if piece
    )


@register.filter(expects_localtime=True)
def short_datetime(value):
    """`value|date:"SHORT_DATETIME_FORMAT"` for the rows of a long list: the language's format
    is cut up once, not in every cell (Django's filter re-parses it each time)."""
    if not value:
        return ""
    date = dateformat.DateFormat(value)
    format_string = formats.get_format("SHORT_DATETIME_FORMAT")
    return "".join(str(getattr(date, p)()) if code else p for code, p in _pieces(format_string))
