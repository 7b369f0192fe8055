"""Delivering one outbox e-mail (the django-q2 task behind `commissions.tasks`)."""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.db import transaction
from django.utils import timezone

from commissions.models import Email
from commissions.outbox.mail import build_context, render_email

logger = logging.getLogger(__name__)


def message_id():
    """A Message-ID in the site's own domain (not the machine's "@localhost")."""
    return make_msgid(domain=urlsplit(settings.SITE_URL).hostname or "mias.example")


def send_mail(subject, body, from_email, recipients):
    """Django's send_mail, with the site's Message-ID."""
    return EmailMessage(
        subject, body, from_email, recipients, headers={"Message-ID": message_id()}
    ).send()


class DeliveryError(Exception):
    """A failed delivery, without the recipient's address (the queue retries it)."""


def deliver_email(email_id):
    """Send one outbox e-mail unless it was sent already (safe to run twice)."""
    failure = None
    with transaction.atomic():
        # Lock the row alone: PostgreSQL refuses FOR UPDATE across the nullable join.
        if not list(Email.objects.select_for_update().filter(pk=email_id).values_list("pk")):
            return "skipped"
        email = Email.objects.select_related("commission__call__programme").get(pk=email_id)
        if email.status == Email.Status.SENT:
            return "skipped"
        context, secrets = build_context(email)
        subject, body = render_email(email, context)
        try:
            send_mail(subject, body, None, [email.to])
        except Exception as exc:  # the retry comes from the queue; the error stays visible
            email.status = Email.Status.FAILED
            email.error = str(exc)[:2000]
            email.save(update_fields=["status", "error"])
            logger.warning("e-mail %s failed: %s", email.pk, exc.__class__.__name__)
            failure = exc.__class__.__name__
        else:
            stored = body
            for secret in secrets:
                stored = stored.replace(secret, "…")
            email.subject, email.body = subject, stored
            email.status, email.sent_at, email.error = Email.Status.SENT, timezone.now(), ""
            email.save(update_fields=["subject", "body", "status", "sent_at", "error"])
    if failure:
        # Raised once the FAILED status is committed, for the queue to retry. Not the
        # original: django-q stores a failed task's exception, and SMTP errors name the
        # recipient.
        raise DeliveryError(f"e-mail {email_id}: {failure}")
    return "sent"
