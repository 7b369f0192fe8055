"""Roster imports against the database: record an upload, preview it, apply it once.

The checking itself lives in `teams.roster` (plain data); here are the queries and writes.
"""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from commissions.models import Programme, Sector
from teams.models import RosterImport, Student, Supervisor
from teams.people import roster
from teams.people.accounts import account_for, invite

MODELS = {roster.STUDENTS: Student, roster.SUPERVISORS: Supervisor}


class ImportRefused(Exception):
    """The import cannot be applied (errors in the file, or confirmed already)."""


def sector_choices():
    return list(Sector.objects.order_by("order", "name").values_list("pk", "name"))


def refusals(call, rows):
    """Row errors for the accounts an import must not touch: staff accounts (coordinators,
    administrators) and accounts of another programme (its students, supervisors,
    coordinators or reviewers)."""
    emails = {row["email"] for row in rows}
    if not emails:
        return []
    User = get_user_model()
    others = Programme.objects.exclude(pk=call.programme_id)
    elsewhere = (
        Q(students__call__programme__in=others)
        | Q(supervisors__call__programme__in=others)
        | Q(coordinated_programmes__in=others)
        | Q(reviewed_programmes__in=others)
    )
    lookup = Q()
    for email in emails:
        lookup |= Q(email__iexact=email)
    accounts = User.objects.filter(lookup)
    staff = {e.lower() for e in accounts.filter(Q(is_staff=True) | Q(is_superuser=True))
             .values_list("email", flat=True)}  # fmt: skip
    other = {e.lower() for e in accounts.filter(elsewhere).values_list("email", flat=True)}
    errors = []
    for row in rows:
        code = "staff_account" if row["email"] in staff else (
            "other_programme" if row["email"] in other else None
        )  # fmt: skip
        if code:
            errors.append(
                {"row": row["row"], "column": "email", "code": code,
                 "params": {"value": row["email"]}}
            )  # fmt: skip
    return errors


def record_upload(call, kind, upload, user):
    """Check an uploaded file and keep the result for review; writes no people."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    # Never read more than the limit: the parse only needs to know it is too large.
    data = upload.read(roster.MAX_BYTES + 1)
    parsed = roster.parse(kind, data, sectors=sector_choices(), size=upload.size)
    if not parsed.errors:
        parsed.errors = refusals(call, parsed.rows)
    return RosterImport.objects.create(
        call=call,
        kind=kind,
        filename=(upload.name or "")[:255],
        digest=digest.hexdigest(),
        rows=parsed.rows,
        errors=parsed.errors,
        created_by=user,
    )


def _people(call_id, kind):
    """The call's students or supervisors by lower-case e-mail, in two queries at most."""
    people = MODELS[kind].objects.filter(call_id=call_id).select_related("user").order_by("pk")
    if kind == roster.SUPERVISORS:
        people = people.prefetch_related("sectors")
    by_email = {}
    for person in people:
        by_email.setdefault(person.user.email.lower(), person)
    return by_email


def _state(kind, person):
    state = {
        "first_name": person.user.first_name,
        "last_name": person.user.last_name,
        "invited": person.invited_at is not None,
    }
    if kind == roster.STUDENTS:
        state.update(
            prior_studies=person.prior_studies,
            languages=list(person.languages or []),
            notes=person.notes,
        )
    else:
        sectors = sorted(person.sectors.all(), key=lambda s: (s.order, s.name))
        state.update(
            sector_ids=[s.pk for s in sectors],
            sectors=[s.name for s in sectors],
            capacity=person.capacity,
        )
    return state


def preview(roster_import):
    """(entries, counts) of what confirming would do now; see `roster.plan`."""
    people = _people(roster_import.call_id, roster_import.kind)
    existing = {email: _state(roster_import.kind, p) for email, p in people.items()}
    entries, counts = roster.plan(roster_import.kind, roster_import.rows, existing)
    for entry in entries:
        for change in entry["changes"]:
            change["label"] = roster.label(change["field"])
    return entries, counts


def report_errors(roster_import):
    return [
        {
            "row": error.get("row"),
            "column": str(roster.label(error["column"])) if error.get("column") else "",
            "message": roster.describe(error),
        }
        for error in roster_import.errors
    ]


def _mail_language(row):
    # The invitation speaks the first of the student's languages the site has, else French.
    site = [code for code, _name in settings.LANGUAGES]
    return next((c for c in row.get("languages", []) if c in site), settings.LANGUAGE_CODE)


def _fields(kind, row):
    if kind == roster.STUDENTS:
        return {
            "language": _mail_language(row),
            "prior_studies": row["prior_studies"],
            "languages": row["languages"],
            "notes": row["notes"],
        }
    return {"language": settings.LANGUAGE_CODE, "capacity": row["capacity"]}


def _write(kind, person, row, sector_ids):
    fields = _fields(kind, row)
    del fields["language"]  # chosen once; the person may have changed it since
    for name, value in fields.items():
        setattr(person, name, value)
    person.save(update_fields=list(fields))
    if kind == roster.SUPERVISORS:
        person.sectors.set([pk for pk in row["sector_ids"] if pk in sector_ids])


def apply(roster_import):
    """Write the import's people at once and invite those never invited.

    Re-reads the people (a preview may be stale) and claims the import first, so that a
    second confirmation, even a concurrent one, changes nothing.
    Returns the outcome {created, updated, unchanged, invited}.
    """
    if roster_import.errors:
        raise ImportRefused(_("This file has errors: nothing can be imported from it."))
    kind, call = roster_import.kind, roster_import.call
    with transaction.atomic():
        claimed = RosterImport.objects.filter(pk=roster_import.pk, applied_at__isnull=True).update(
            applied_at=timezone.now()
        )
        if not claimed:
            raise ImportRefused(_("This import was already confirmed: nothing was changed."))
        if refusals(call, roster_import.rows):  # an account changed since the upload
            raise ImportRefused(
                _("Some accounts of this file cannot be enrolled any more: upload it again.")
            )
        people = _people(call.pk, kind)
        existing = {email: _state(kind, p) for email, p in people.items()}
        entries, _counts = roster.plan(kind, roster_import.rows, existing)
        sector_ids = set(Sector.objects.values_list("pk", flat=True))
        outcome = {"created": 0, "updated": 0, "unchanged": 0, "invited": 0}
        for entry in entries:
            row = entry["row"]
            person = people.get(row["email"])
            if person is None:
                user, _new = account_for(row["email"], row["first_name"], row["last_name"])
                person, created = MODELS[kind].objects.get_or_create(
                    call=call, user=user, defaults=_fields(kind, row)
                )
                if created and kind == roster.SUPERVISORS:
                    person.sectors.set([pk for pk in row["sector_ids"] if pk in sector_ids])
                elif not created:  # added meanwhile under another spelling of the e-mail
                    _write(kind, person, row, sector_ids)
                outcome["created" if created else "updated"] += 1
            elif entry["action"] == "update":
                _write(kind, person, row, sector_ids)
                outcome["updated"] += 1
            else:
                outcome["unchanged"] += 1
            if person.invited_at is None:
                _email, queued = invite(person)
                outcome["invited"] += queued
        RosterImport.objects.filter(pk=roster_import.pk).update(outcome=outcome)
    roster_import.refresh_from_db()
    return outcome
