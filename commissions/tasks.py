"""django-q2 looks tasks up by their dotted path, and queued rows store these.

The outbox's delivery lives in `commissions/outbox/delivery.py`.
"""

from django.core.management import call_command

from commissions.intake import services
from commissions.outbox.delivery import DeliveryError, deliver_email
from commissions.review.notify import send_review_reminders as _send_review_reminders

__all__ = [
    "DeliveryError",
    "clear_expired_sessions",
    "deliver_email",
    "send_links",
    "send_review_reminders",
]


def send_review_reminders():
    """The daily run (a django-q2 schedule): one reminder per late reviewer and call, ever."""
    return _send_review_reminders()


def send_links(email_address, language):
    """ "Send my link again", off the request: a fresh link to each live commission of the
    address (nothing for an unknown one). Returns only a count: no address in the results."""
    return services.send_links(email_address, language)


def clear_expired_sessions():
    """Nightly (a schedule made by a migration): expired sessions leave the database."""
    call_command("clearsessions", verbosity=0)
    return "cleared"
