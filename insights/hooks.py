"""What insights adds to the pages of the apps below (receivers of commissions' signals)."""

from django.urls import reverse
from django.utils.translation import gettext as _


def workspace_links(sender, programme, user, **kwargs):
    return [
        (_("Archive of every year"), reverse("insights:archive", args=[programme.slug])),
    ]


def review_section(sender, request, commission, **kwargs):
    return None


def call_links(sender, call, **kwargs):
    return [
        (_("Prepare the next call"), reverse("insights:prepare", args=[call.slug]), "prepare"),
    ]
