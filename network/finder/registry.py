"""The registry as the finder's organisation dicts (a few queries, whatever the size)."""

from __future__ import annotations

from collections import defaultdict

from commissions.models import Institution
from network.models import Participation


def organisations(pks=None) -> list[dict]:
    """Every organisation (or those of pks) with its labels, events and neighbours."""
    institutions = Institution.objects.order_by("pk").prefetch_related("sectors")
    if pks is not None:
        institutions = institutions.filter(pk__in=pks)
    events = defaultdict(list)
    members = defaultdict(set)
    rows = Participation.objects.select_related("event").order_by("event__year", "event_id")
    if pks is not None:
        rows = rows.filter(event__participations__institution_id__in=pks).distinct()
    for row in rows:
        members[row.event_id].add(row.institution_id)
        events[row.institution_id].append((row.event_id, str(row.event)))
    found = []
    for institution in institutions:
        own = events.get(institution.pk, [])
        neighbours = set().union(*(members[event_id] for event_id, _n in own)) if own else set()
        found.append(
            {
                "pk": institution.pk,
                "key": institution.key or f"id-{institution.pk}",
                "name": institution.name,
                "city": institution.city,
                "country": institution.country,
                "languages": list(institution.languages or []),
                "sectors": [s.name for s in institution.sectors.all()]
                or ([] if institution.sector_id is None else []),
                "people_served": list(institution.people_served or []),
                "descriptions": dict(institution.descriptions or {}),
                "events": [name for _id, name in own],
                "neighbour_pks": sorted(neighbours - {institution.pk}),
            }
        )
    keys = {org["pk"]: org["key"] for org in found}
    for org in found:
        org["neighbours"] = [keys[pk] for pk in org.pop("neighbour_pks") if pk in keys]
    return found
