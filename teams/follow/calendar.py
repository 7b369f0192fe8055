"""Private calendar feeds (RFC 5545): a person's milestones, for Google, Outlook or Apple."""

from datetime import UTC, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event

from commissions.accounts import language_of
from commissions.outbox.mail import absolute
from mias.validators import clean_line, clean_text
from teams.models import CalendarFeed, Milestone

RENEWED = gettext_lazy(
    "Your calendar has a new address: calendars subscribed to the old one stop updating."
)

NOT_CONFIRMED = gettext_lazy(
    "The address was not replaced: tick the box to confirm that calendars subscribed to it "
    "will stop updating."
)


def _owner(user, commission):
    return {"user": user} if user is not None else {"commission": commission}


def feed_for(user=None, commission=None):
    """The live feed of a person or an institution, made on first use."""
    owner = _owner(user, commission)
    feed = CalendarFeed.objects.filter(revoked_at__isnull=True, **owner).first()
    if feed is None:
        try:
            with transaction.atomic():
                feed = CalendarFeed.objects.create(**owner)
        except IntegrityError:  # two first visits at once: the other one made it
            feed = CalendarFeed.objects.get(revoked_at__isnull=True, **owner)
    return feed


def renew(user=None, commission=None):
    """Revoke the current address (a calendar that has it stops updating) and make a new one."""
    owner = _owner(user, commission)
    with transaction.atomic():
        CalendarFeed.objects.filter(revoked_at__isnull=True, **owner).update(
            revoked_at=timezone.now()
        )
        return CalendarFeed.objects.create(**owner)


def language_of_feed(feed):
    """The owner's language: the account's, or the institution contact's."""
    if feed.commission_id:
        return feed.commission.submitter_language or settings.LANGUAGE_CODE
    return language_of(feed.user)


def revoke(user=None, commission=None):
    """Every live address of this person or institution stops answering; the count."""
    return CalendarFeed.objects.filter(revoked_at__isnull=True, **_owner(user, commission)).update(
        revoked_at=timezone.now()
    )


def links_revoked(sender, commission, **kwargs):
    """The institution's private links are revoked: its calendar address goes with them."""
    revoke(commission=commission)


def account_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    """A deactivated account's calendar addresses are revoked (a new one if it comes back)."""
    if raw or created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    revoke(user=instance)


def feed_url(feed):
    return absolute(reverse("teams:calendar", args=[feed.token]))


def webcal_url(url):
    """The same address for a calendar application to subscribe to (webcal://), not download."""
    scheme, sep, rest = url.partition("://")
    return f"webcal://{rest}" if sep and scheme in ("http", "https") else url


def milestones_of(feed):
    """Exactly the owner's milestones: their teams' (member or supervisor), or the team's."""
    qs = Milestone.objects.filter(team__published_at__isnull=False)
    if feed.commission_id:
        qs = qs.filter(team__commission_id=feed.commission_id)
    else:
        uid = feed.user_id
        qs = qs.filter(Q(team__members__user_id=uid) | Q(team__supervisor__user_id=uid)).distinct()
    return list(
        qs.select_related("key_date", "team__commission__institution").order_by("due_at", "pk")
    )


# UIDs must never change, or every subscribed calendar would duplicate every event: not the
# site's host (a move to a new domain), a fixed name of the application instead.
UID_DOMAIN = "mias-commissions"


def last_change(items, since=None):
    """When these milestones last changed (the feed's DTSTAMP and Last-Modified)."""
    moments = [m.updated_at for m in items] + ([since] if since else [])
    return max(moments, default=None)


def _utc(moment):
    return moment.astimezone(UTC).replace(microsecond=0)


def build(title, items, stamp=None):
    """The iCalendar text of these milestones; the same bytes until one of them changes."""
    stamp = stamp or last_change(items) or timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//MIAS Commissions//Milestones//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # Text typed before forms dropped control characters may still hold some: an iCalendar
    # line must not (a line break in a name would end the line, and icalendar refuses it).
    cal.add("x-wr-calname", clean_line(title))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for m in items:
        commission = m.team.commission
        event = Event()
        event.add("uid", f"milestone-{m.pk}@{UID_DOMAIN}")
        # The revision of the event (RFC 5545 §3.8.7.2 without METHOD), not the fetch time.
        event.add("dtstamp", _utc(m.updated_at or stamp))
        event.add("last-modified", _utc(m.updated_at or stamp))
        event.add("summary", clean_line(f"{m.key_date.label_text} — {commission.title}"))
        if m.all_day:
            first = timezone.localtime(m.starts_at).date()
            last = timezone.localtime(m.ends_at or m.starts_at).date()
            event.add("dtstart", first)
            event.add("dtend", last + timedelta(days=1))  # DTEND of a date is exclusive
        else:
            event.add("dtstart", m.starts_at.astimezone(UTC))
            event.add("dtend", (m.ends_at or m.starts_at + timedelta(hours=1)).astimezone(UTC))
        location = m.key_date.tr("location")
        if "institution" in m.key_date.location.lower():
            # "At the institution": give the address a calendar can map.
            place = commission.institution
            location = f"{place.name}, {place.address}, {place.postal_code} {place.city}".replace(
                "  ", " "
            )
        if location:
            event.add("location", clean_line(location))
        lines = [
            commission.institution.name,
            _("Who acts: %(who)s") % {"who": m.key_date.get_actor_display()},
        ]
        if m.deliverable:
            lines.append(_("To hand in: %(what)s") % {"what": m.get_deliverable_display()})
        event.add("description", clean_text("\n".join(lines)))
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
