"""Data protection: what is stored about a contact person, erasing it, the retention period.

Plain functions over the ORM, used by the coordinators' screen (`views/privacy.py`) and by
`manage.py contact_data`. A programme scope (`programme_ids`, None for everything) limits
each function to the calls of the programmes a coordinator coordinates.

Erasure anonymises: the commission stays for the archive (title, question, institution,
status, history) but its contact person becomes a placeholder, and every copy of the
contact's name, e-mail address and phone number is scrubbed from the history, the notes,
the reviewers' comments and the outbox.
"""

import re
from collections import Counter

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from commissions.models import AccessToken, Call, Commission, CommissionEvent, Email, Note, Review
from commissions.signals import contact_erase, contact_export

ERASED_DOMAIN = "erased.invalid"  # RFC 2606: can never receive mail
ERASED_NAME = "—"
ERASED_TEXT = "[erased]"
REQUEST, RETENTION = "request", "retention"
ACTOR_LABELS = {REQUEST: "manage.py contact_data", RETENTION: "retention period"}
CONTACT_FIELDS = ["contact_name", "contact_role", "contact_email", "contact_phone"]
# The commission's own texts: kept for the archive, only copies of the contact are scrubbed.
ARCHIVED_TEXTS = ["title", "question", "context", "expected_outcome", "resources"]
MESSAGES = {
    REQUEST: "Personal data of the contact person erased on request",
    RETENTION: "Personal data of the contact person erased: retention period over",
}


def placeholder_email(pk):
    return f"erased-{pk}@{ERASED_DOMAIN}"


def is_erased(commission):
    return commission.contact_email.lower().endswith("@" + ERASED_DOMAIN)


def normalise(email):
    return (email or "").strip()


def iso(value):
    return value.isoformat() if value else None


def in_scope(queryset, programme_ids, *paths):
    """Rows reachable from one of the programmes through any of `paths` (None: all rows)."""
    if programme_ids is None:
        return queryset
    ids = list(programme_ids)
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{path}__in": ids})
    return queryset.filter(condition)


def contact_commissions(email, programme_ids=None):
    email = normalise(email)
    if not email:
        return Commission.objects.none()
    return in_scope(
        Commission.objects.filter(contact_email__iexact=email), programme_ids, "call__programme_id"
    )


def _emails_to(email, programme_ids):
    return in_scope(
        Email.objects.filter(to__iexact=email),
        programme_ids,
        "commission__call__programme_id",
        "call__programme_id",
    )


def _from_other_apps(signal, **kwargs):
    """What the other apps' receivers answer for their own data, merged into one dict."""
    merged = {}
    for _receiver, reply in signal.send(sender=Commission, **kwargs):
        merged |= reply or {}
    return merged


# -- Export -------------------------------------------------------------------------------


def _event(event):
    return {
        "at": iso(event.at),
        "kind": event.kind,
        "kind_label": str(event.get_kind_display()),
        "by": str(event.actor) if event.actor_id else event.actor_label,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "message": str(event.message),
        "changes": event.changes,
    }


def _institution(institution):
    return {
        "name": institution.name,
        "legal_form": institution.legal_form,
        "address": institution.address,
        "postal_code": institution.postal_code,
        "city": institution.city,
        "website": institution.website,
    }


def _commission(c):
    presentation = c.preferred_presentation
    return {
        "reference": c.reference,
        "call": {
            "slug": c.call.slug,
            "title": c.call.title,
            "academic_year": c.call.academic_year,
            "programme": c.call.programme.name,
        },
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "contact": {
            "name": c.contact_name,
            "role": c.contact_role,
            "email": c.contact_email,
            "phone": c.contact_phone,
        },
        "institution": _institution(c.institution),
        "title": c.title,
        "question": c.question,
        "context": c.context,
        "expected_outcome": c.expected_outcome,
        "resources": c.resources,
        "sector": c.sector.name,
        "commission_type": c.commission_type.name,
        "intervention_context": c.intervention_context.name,
        "languages": c.languages,
        "accepted_commitments": c.accepted_commitments,
        "preferred_presentation": (
            {"label": presentation.label, "starts_at": iso(presentation.starts_at)}
            if presentation
            else None
        ),
        "consent_text": c.consent_text,
        "consent_at": iso(c.consent_at),
        "language": c.submitter_language,
        "submitted_at": iso(c.submitted_at),
        "updated_at": iso(c.updated_at),
        "waitlist_position": c.waitlist_position,
        "kept_until": iso(c.call.retention_until()),
        "history": [_event(e) for e in c.events.all()],
        "notes": [{"at": iso(n.created_at), "text": n.text} for n in c.notes.all()],
        # Dates only: the hash of a token is a secret, and useless to the person.
        "private_links": [
            {
                "created_at": iso(t.created_at),
                "last_used_at": iso(t.last_used_at),
                "revoked_at": iso(t.revoked_at),
            }
            for t in c.tokens.all()
        ],
    }


def _email(e):
    return {
        "kind": e.kind,
        "kind_label": str(e.kind_label),
        "to": e.to,
        "language": e.language,
        "commission": e.commission.reference if e.commission_id else None,
        "subject": e.subject,
        "body": e.body,
        "status": e.status,
        "queued_at": iso(e.created_at),
        "sent_at": iso(e.sent_at),
    }


def contact_data(email, programme_ids=None):
    """Everything stored about this e-mail address, as JSON-ready data (ISO dates)."""
    email = normalise(email)
    commissions = list(
        contact_commissions(email, programme_ids)
        .select_related(
            "call__programme",
            "institution",
            "sector",
            "commission_type",
            "intervention_context",
            "preferred_presentation",
        )
        .prefetch_related(
            "call__key_dates",
            Prefetch("events", queryset=CommissionEvent.objects.select_related("actor")),
            Prefetch("notes", queryset=Note.objects.order_by("created_at", "pk")),
            "tokens",
        )
        .order_by("submitted_at", "pk")
    )
    acted = []
    emails = []
    if email:
        acted = list(
            in_scope(
                CommissionEvent.objects.filter(actor_label__iexact=email),
                programme_ids,
                "commission__call__programme_id",
            )
            .exclude(commission__in=[c.pk for c in commissions])
            .select_related("commission", "actor")
        )
        emails = list(
            _emails_to(email, programme_ids).select_related("commission").order_by("created_at")
        )
    institutions = {c.institution_id: _institution(c.institution) for c in commissions}
    return {
        "email": email,
        "generated_at": iso(timezone.now()),
        "commissions": [_commission(c) for c in commissions],
        "institutions": list(institutions.values()),
        "other_history": [{"commission": e.commission.reference, **_event(e)} for e in acted],
        "emails": [_email(e) for e in emails],
        "accounts": [],
    } | _from_other_apps(
        contact_export, commissions=commissions, email=email, programme_ids=programme_ids
    )


def summary(data):
    """Counts of an export, for the screen and the command."""
    return {
        "commissions": len(data["commissions"]),
        "history": sum(len(c["history"]) for c in data["commissions"]) + len(data["other_history"]),
        "notes": sum(len(c["notes"]) for c in data["commissions"]),
        "private_links": sum(len(c["private_links"]) for c in data["commissions"]),
        "emails": len(data["emails"]),
        "students": sum(len(a.get("students", ())) for a in data["accounts"]),
        "supervisors": sum(len(a.get("supervisors", ())) for a in data["accounts"]),
    }


# -- Erasure ------------------------------------------------------------------------------


class Scrubber:
    """Replaces every copy of some names, addresses and phone numbers in text and JSON."""

    def __init__(self, emails=(), names=(), phones=()):
        needles = {e.strip() for e in emails if e and e.strip()}
        # A too short name or number would eat ordinary words and digits.
        needles |= {n.strip() for n in names if n and len(n.strip()) >= 3}
        needles |= {p.strip() for p in phones if p and sum(ch.isdigit() for ch in p) >= 6}
        needles.discard(ERASED_NAME)
        ordered = sorted(needles, key=len, reverse=True)
        self.pattern = (
            # Whole words only: "Anne" goes, "Annecy" and "Marianne" stay.
            re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(n) for n in ordered) + r")(?!\w)",
                re.IGNORECASE,
            )
            if ordered
            else None
        )

    def text(self, value):
        if self.pattern is None or not isinstance(value, str):
            return value
        return self.pattern.sub(ERASED_TEXT, value)

    def json(self, value):
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k): self.json(v) for k, v in value.items()}
        return value

    def apply(self, obj, text_fields=(), json_fields=()):
        """Scrub the object's fields in place; the names of the fields that changed."""
        changed = []
        for name in text_fields:
            old = getattr(obj, name)
            new = self.text(old)
            if new != old:
                setattr(obj, name, new)
                changed.append(name)
        for name in json_fields:
            old = getattr(obj, name)
            new = self.json(old)
            if new != old:
                setattr(obj, name, new)
                changed.append(name)
        return changed


def scrub_rows(rows, scrubber, text_fields=(), json_fields=()):
    model, dirty, fields = None, [], set()
    for row in rows:
        model = type(row)
        changed = scrubber.apply(row, text_fields, json_fields)
        if changed:
            dirty.append(row)
            fields.update(changed)
    if dirty:
        model.objects.bulk_update(dirty, sorted(fields))
    return len(dirty)


def _erase_in_other_apps(commissions, address, programme_ids, scrubber):
    """The other apps erase or scrub their own copies (contact_erase receivers); counts."""
    return _from_other_apps(
        contact_erase,
        commissions=commissions,
        email=address,
        programme_ids=programme_ids,
        scrubber=scrubber,
    )


def _erase_commissions(commissions, *, actor, reason, address="", programme_ids=None):
    """Anonymise the contact of each commission and scrub every copy of it; counts."""
    counts = Counter()
    commissions = [c for c in commissions if not is_erased(c)]
    if not commissions:
        # Nothing left here; the other apps still answer for the address (accounts kept).
        scrubber = Scrubber(emails=[address] if address else [])
        return counts + Counter(_erase_in_other_apps([], address, programme_ids, scrubber))
    ids = [c.pk for c in commissions]
    call_ids = {c.call_id for c in commissions}
    addresses = {c.contact_email.lower() for c in commissions} | (
        {address.lower()} if address else set()
    )
    scrubber = Scrubber(
        emails=addresses,
        names=[c.contact_name for c in commissions],
        phones=[c.contact_phone for c in commissions],
    )
    # Lock the rows (alone: PostgreSQL refuses FOR UPDATE across nullable joins).
    list(Commission.objects.select_for_update().filter(pk__in=ids).values_list("pk"))

    for c in commissions:
        values = {
            "contact_name": ERASED_NAME,
            "contact_role": ERASED_NAME,
            "contact_email": placeholder_email(c.pk),
            "contact_phone": ERASED_NAME,
        }
        for name in ARCHIVED_TEXTS:
            values[name] = scrubber.text(getattr(c, name))
        # update(): the selection's fingerprint keeps updated_at, and nothing it weighs moved.
        Commission.objects.filter(pk=c.pk).update(**values)
        for name, value in values.items():
            setattr(c, name, value)
    counts["commissions"] = len(commissions)

    events = CommissionEvent.objects.filter(commission_id__in=ids)
    if address:  # the same person acting on another commission of the programmes
        others = in_scope(
            CommissionEvent.objects.filter(actor_label__icontains=address),
            programme_ids,
            "commission__call__programme_id",
        )
        events = CommissionEvent.objects.filter(Q(pk__in=events) | Q(pk__in=others))
    counts["history_scrubbed"] = scrub_rows(
        events, scrubber, ["actor_label", "message"], ["changes"]
    )
    counts["notes_scrubbed"] = scrub_rows(
        Note.objects.filter(commission_id__in=ids), scrubber, ["text"]
    )
    counts["review_comments_scrubbed"] = scrub_rows(
        Review.objects.filter(commission_id__in=ids).exclude(comment=""), scrubber, ["comment"]
    )

    # The outbox: the e-mails to the contact lose their recipient and content (unsent ones
    # are deleted, so that no queued task sends them); the others (to coordinators, to the
    # students of the team) lose every copy of the contact.
    outbox = Q(commission_id__in=ids) | Q(call_id__in=call_ids)
    if address:
        outbox |= Q(pk__in=_emails_to(address, programme_ids))
    anonymised, unsent, rest = [], [], []
    for email in Email.objects.filter(outbox):
        if email.to.lower() not in addresses:
            rest.append(email)
        elif email.status != Email.Status.SENT:
            unsent.append(email.pk)
        else:
            email.to = (
                placeholder_email(email.commission_id)
                if email.commission_id
                else f"erased@{ERASED_DOMAIN}"
            )
            email.subject = email.body = email.error = ""
            email.params = scrubber.json(email.params)
            anonymised.append(email)
    if anonymised:
        Email.objects.bulk_update(anonymised, ["to", "subject", "body", "error", "params"])
    Email.objects.filter(pk__in=unsent).delete()
    counts["emails_anonymised"] = len(anonymised)
    counts["emails_deleted"] = len(unsent)
    counts["emails_scrubbed"] = scrub_rows(rest, scrubber, ["subject", "body", "error"], ["params"])

    counts["private_links_deleted"], _detail = AccessToken.objects.filter(
        commission_id__in=ids
    ).delete()

    counts.update(_erase_in_other_apps(commissions, address, programme_ids, scrubber))

    label = "" if actor is not None else ACTOR_LABELS[reason]
    for c in commissions:
        c.record(
            CommissionEvent.Kind.EDITED,
            actor=actor,
            actor_label=label,
            message=MESSAGES[reason],
            changes={"erased": CONTACT_FIELDS, "reason": reason},
        )
    return counts


def erase_contact(email, actor=None, programme_ids=None):
    """Erase a contact person's data from their commissions (kept, anonymised); counts.

    Student and supervisor accounts with the same address are reported, not erased.
    """
    email = normalise(email)
    if not email:
        raise ValueError("An e-mail address is needed.")
    with transaction.atomic():
        commissions = list(contact_commissions(email, programme_ids).order_by("pk"))
        counts = _erase_commissions(
            commissions,
            actor=actor,
            reason=REQUEST,
            address=email,
            programme_ids=programme_ids,
        )
    return _complete(counts)


def _complete(counts):
    keys = [
        "commissions",
        "history_scrubbed",
        "notes_scrubbed",
        "review_comments_scrubbed",
        "emails_anonymised",
        "emails_deleted",
        "emails_scrubbed",
        "private_links_deleted",
    ]
    return {key: counts.get(key, 0) for key in keys} | {
        k: v for k, v in counts.items() if k not in keys
    }


# -- Retention ----------------------------------------------------------------------------


def expired_calls(now=None):
    """The calls whose retention period is over (`Call.retention_until()` is past)."""
    today = timezone.localdate(now or timezone.now())
    calls = Call.objects.select_related("programme").prefetch_related("key_dates").order_by("pk")
    return [call for call in calls if call.retention_until() < today]


def purge_expired(now=None, dry_run=True):
    """Anonymise the contacts of the commissions of every expired call; counts per call."""
    report = {"dry_run": dry_run, "calls": [], "commissions": 0}
    for call in expired_calls(now):
        pending = [
            c for c in Commission.objects.filter(call=call).order_by("pk") if not is_erased(c)
        ]
        entry = {"call": call.slug, "kept_until": iso(call.retention_until())}
        if dry_run:
            entry["commissions"] = len(pending)
        else:
            with transaction.atomic():
                entry |= _complete(_erase_commissions(pending, actor=None, reason=RETENTION))
        report["calls"].append(entry)
        report["commissions"] += entry["commissions"]
    return report
