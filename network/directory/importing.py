"""Write a checked directory into the registry: all or nothing, idempotent on the keys."""

from __future__ import annotations

from django.db import transaction

from commissions.models import Institution, Sector
from network.directory import parsing
from network.finder import text as words
from network.models import Event, Participation

FIELDS = [
    "name", "city", "country", "legal_form", "languages", "people_served", "descriptions",
    "email", "website", "enterprise_number", "rcs_number",
]  # fmt: skip


def known_keys():
    return frozenset(Institution.objects.exclude(key=None).values_list("key", flat=True))


def read(content: bytes, filename: str) -> parsing.Parsed:
    return parsing.parse(content, filename, known_keys())


def _sectors(labels, cache):
    """The registry's sectors for these labels: an existing one whatever its case or accents."""
    if not cache:
        cache.update({words.fold(s.name): s for s in Sector.objects.all()})
    found = []
    for label in labels:
        folded = words.fold(label)
        if folded not in cache:
            cache[folded] = Sector.objects.create(name=label[:1].upper() + label[1:])
        found.append(cache[folded])
    return found


@transaction.atomic
def apply(parsed: parsing.Parsed) -> dict:
    """Create or update every organisation and event; returns counts. Refuses a file with errors."""
    if parsed.errors:
        raise ValueError("a directory with errors is never written")
    report = {"created": 0, "updated": 0, "unchanged": 0, "events": 0}
    keys = [o["key"] for o in parsed.organisations]
    by_key = {
        i.key: i for i in Institution.objects.filter(key__in=keys).prefetch_related("sectors")
    }
    sector_cache = {}
    institutions = {}
    for row in parsed.organisations:
        sectors = _sectors(row["sectors"], sector_cache)
        institution = by_key.get(row["key"])
        if institution is None:
            # An institution known from its commissions, without a key yet: the same one.
            institution = Institution.objects.filter(
                key=None, name__iexact=row["name"], city__iexact=row["city"]
            ).first()
        values = {name: row[name] for name in FIELDS}
        if institution is None:
            institution = Institution.objects.create(
                key=row["key"], sector=sectors[0], address="", **values
            )
            institution.sectors.set(sectors)
            report["created"] += 1
        else:
            changed = [n for n in FIELDS if getattr(institution, n) != values[n]]
            if institution.key != row["key"]:
                changed.append("key")
            for name in changed:
                setattr(institution, name, row[name])
            if changed:
                institution.save(update_fields=changed + ["updated_at"])
            same_sectors = {s.pk for s in institution.sectors.all()} == {s.pk for s in sectors}
            if not same_sectors:
                institution.sectors.set(sectors)
            report["updated" if changed or not same_sectors else "unchanged"] += 1
        institutions[row["key"]] = institution
    missing = {k for e in parsed.events for k in e["participants"] + [e["organiser"]] if k}
    missing -= set(institutions)
    institutions.update({i.key: i for i in Institution.objects.filter(key__in=missing)})
    for row in parsed.events:
        event, _created = Event.objects.update_or_create(
            key=row["key"],
            defaults={
                "name": row["name"],
                "year": row["year"],
                "date": row["date"],
                "place": row["place"],
                "organiser": institutions.get(row["organiser"]),
            },
        )
        wanted = {institutions[k].pk for k in row["participants"]}
        if row["organiser"]:
            wanted.add(institutions[row["organiser"]].pk)
        have = set(event.participations.values_list("institution_id", flat=True))
        event.participations.exclude(institution_id__in=wanted).delete()
        Participation.objects.bulk_create(
            [Participation(event=event, institution_id=pk) for pk in wanted - have]
        )
        report["events"] += 1
    return report


def workbook_template(parsed: parsing.Parsed | None = None) -> bytes:
    """The Excel template: the same columns as the JSON file (filled when given a directory)."""
    from openpyxl import Workbook

    from mias.excel import workbook_bytes, write_sheet

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "organisations"
    rows = []
    for org in (parsed.organisations if parsed else []):
        rows.append(
            [org["key"], org["name"], org["city"], org["country"], org["legal_form"],
             ", ".join(org["languages"]), "; ".join(org["sectors"]),
             "; ".join(org["people_served"]),
             *[org["descriptions"].get(code, "") for code in parsing.DESCRIPTION_LANGUAGES],
             org["email"], org["website"], org["enterprise_number"], org["rcs_number"]]
        )  # fmt: skip
    write_sheet(sheet, parsing.ORGANISATION_COLUMNS, rows)
    events = workbook.create_sheet("events")
    write_sheet(
        events,
        parsing.EVENT_COLUMNS,
        [
            [e["key"], e["name"], e["year"], e["date"], e["place"], e["organiser"],
             ", ".join(e["participants"])]
            for e in (parsed.events if parsed else [])
        ],
    )  # fmt: skip
    return workbook_bytes(workbook)
