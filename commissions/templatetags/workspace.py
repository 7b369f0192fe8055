"""The workspace's tabs that apps above add (commissions.signals.call_links)."""

from django import template

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
