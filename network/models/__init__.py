"""The network app's models, one module per wing; the app label stays `network`."""

from network.models.events import Event, EventQuerySet, Participation
from network.models.finder import OrganisationVector
from network.models.outreach import Invitation

__all__ = [
    "Event",
    "EventQuerySet",
    "Invitation",
    "OrganisationVector",
    "Participation",
]
