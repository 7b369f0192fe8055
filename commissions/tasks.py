"""django-q2 looks tasks up by their dotted path, and queued rows store this one.

The outbox's delivery lives in `commissions/outbox/delivery.py`.
"""

from commissions.outbox.delivery import DeliveryError, deliver_email

__all__ = ["DeliveryError", "deliver_email"]
