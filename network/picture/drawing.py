"""The network picture's data: organisations, the events and calls linking them (a few queries)."""

from __future__ import annotations

from commissions.models import Commission, Institution
from network.models import Event, Participation
from network.picture import graph

MAX_ORGANISATIONS = 300


def network(sector: str = "", year: int | None = None, event: str = ""):
    """Nodes and links of the picture, filtered; a year keeps the events and calls of that year."""
    links = []
    hubs = {}
    participations = Participation.objects.select_related("event").order_by("event_id")
    if year:
        participations = participations.filter(event__year=year)
    if event:
        participations = participations.filter(event__key=event)
    for row in participations:
        hub = f"e{row.event_id}"
        hubs[hub] = graph.Node(hub, str(row.event), "event")
        links.append((hub, f"o{row.institution_id}"))
    if not event:
        commissions = Commission.objects.filter(status=Commission.Status.SELECTED)
        if year:
            commissions = commissions.filter(call__academic_year__startswith=str(year))
        for call_id, label, academic_year, institution_id in commissions.values_list(
            "call_id", "call__programme__short_name", "call__academic_year", "institution_id"
        ):
            hub = f"c{call_id}"
            hubs[hub] = graph.Node(hub, f"{label} {academic_year}", "call")
            links.append((hub, f"o{institution_id}"))
    ids = {int(b[1:]) for _a, b in links}
    institutions = Institution.objects.filter(pk__in=ids).prefetch_related("sectors")
    organisations = {}
    for institution in institutions:
        sectors = [s.name for s in institution.sectors.all()]
        if sector and sector not in sectors:
            continue
        organisations[f"o{institution.pk}"] = graph.Node(
            f"o{institution.pk}", institution.name, "organisation", sectors[0] if sectors else ""
        )
    if len(organisations) > MAX_ORGANISATIONS:  # the most linked ones
        degree = {}
        for _hub, org in links:
            degree[org] = degree.get(org, 0) + 1
        keep = sorted(organisations, key=lambda k: (-degree.get(k, 0), k))[:MAX_ORGANISATIONS]
        organisations = {k: organisations[k] for k in keep}
    links = sorted({(a, b) for a, b in links if b in organisations})
    used = {a for a, _b in links}
    nodes = [hubs[h] for h in sorted(used)] + sorted(organisations.values(), key=lambda n: n.id)
    graph.layout(nodes, links)
    position = {node.id: node for node in nodes}
    lines = [(position[a], position[b]) for a, b in links]
    return nodes, lines


def filter_choices():
    sectors = (
        Institution.sectors.through.objects.values_list("sector__name", flat=True)
        .distinct()
        .order_by("sector__name")
    )
    years = sorted(
        {y for y in Event.objects.exclude(year=None).values_list("year", flat=True)}
        | {
            int(y[:4])
            for y in Commission.objects.filter(status=Commission.Status.SELECTED)
            .values_list("call__academic_year", flat=True)
            .distinct()
            if y[:4].isdigit()
        },
        reverse=True,
    )
    events = list(Event.objects.order_by("-year", "name").values_list("key", "name", "year"))
    return list(sectors), years, events
