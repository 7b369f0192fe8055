"""django-q2 looks tasks up by their dotted path, and queued rows store this one.

The outbox's delivery lives in `commissions/outbox/delivery.py`.
"""

from commissions.outbox.delivery import DeliveryError, deliver_email
from commissions.review.notify import send_review_reminders as _send_review_reminders

__all__ = ["DeliveryError", "deliver_email", "send_review_reminders"]


def send_review_reminders():
    """The daily run (a django-q2 schedule): one reminder per late reviewer and call, ever."""
    return _send_review_reminders()
