"""Delivering one outbox e-mail (the django-q2 task behind `commissions.tasks`).

Exactly once, even when the queue runs a task twice or the database is busy:
1. claim the row with one conditional UPDATE (queued or failed -> sending): of two workers
   holding the same task, one wins, the other skips;
2. render it, minting its private link in the same transaction (a render that fails leaves
   no link behind, and the row goes back to failed, for the queue to retry);
3. send it; an SMTP refusal deletes the link it carried and marks the row failed (retried);
4. mark it sent, retrying the *mark* (never the send) while the database is busy.
A row left sending (the worker died between 3 and 4) is never picked again: the outbox page
and the log report it, and a coordinator decides.
"""

import logging
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.db import OperationalError, close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone

from commissions.models import AccessToken, Email
from commissions.models.intake import hash_token
from commissions.outbox.mail import build_context, render_email

logger = logging.getLogger(__name__)

# How often, and how long apart, a mark is retried while the database stays busy.
MARK_ATTEMPTS = 8
MARK_BACKOFF = 0.5


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


def claim(email_id):
    """Take the row for this delivery; False when another delivery has it or it is sent."""
    return bool(
        Email.objects.filter(
            pk=email_id, status__in=[Email.Status.QUEUED, Email.Status.FAILED]
        ).update(
            status=Email.Status.SENDING,
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )


def mark(email_id, **fields):
    """Write the outcome of a send on the claimed row, retrying while the database is busy.

    Returns False when every attempt failed: the row then stays sending, and is reported.
    """
    for attempt in range(MARK_ATTEMPTS):
        try:
            Email.objects.filter(pk=email_id, status=Email.Status.SENDING).update(**fields)
            return True
        except OperationalError as exc:  # "database is locked", a dropped connection…
            logger.warning(
                "e-mail %s: marking it %s failed (attempt %d): %s",
                email_id,
                fields.get("status"),
                attempt + 1,
                exc.__class__.__name__,
            )
            if not connection.in_atomic_block:  # a dropped connection: open a new one
                close_old_connections()
            time.sleep(MARK_BACKOFF * (attempt + 1))
    logger.error(
        "e-mail %s was sent but could not be marked %s: it stays 'sending' on the outbox page",
        email_id,
        fields.get("status"),
    )
    return False


def _revoke_links(secrets):
    """Delete the private links an undelivered e-mail carried: nobody ever received them."""
    hashes = [hash_token(secret) for secret in secrets]
    if not hashes:
        return
    try:
        AccessToken.objects.filter(token_hash__in=hashes).delete()
    except OperationalError as exc:  # the row must still be marked failed, to be retried
        logger.warning("private links of an undelivered e-mail kept: %s", exc.__class__.__name__)


def deliver_email(email_id):
    """Send one outbox e-mail unless it was sent or is being sent (safe to run twice)."""
    if not claim(email_id):
        status = Email.objects.filter(pk=email_id).values_list("status", flat=True).first()
        if status == Email.Status.SENDING:
            # Another worker is sending it, or one died while sending: never send it again
            # blindly (the outbox page shows it to the coordinators).
            logger.warning("e-mail %s is already being sent: not sent again", email_id)
            return "sending"
        return "skipped"
    email = Email.objects.select_related("commission__call__programme").get(pk=email_id)
    try:
        with transaction.atomic():  # the link exists only if the message could be rendered
            context, secrets = build_context(email)
            subject, body = render_email(email, context)
    except Exception as exc:
        _fail(email_id, exc)
        raise DeliveryError(f"e-mail {email_id}: {exc.__class__.__name__}") from None
    try:
        send_mail(subject, body, None, [email.to])
    except Exception as exc:  # refused: nothing was delivered, the queue retries it
        _revoke_links(secrets)
        _fail(email_id, exc)
        # Not the original: django-q stores a failed task's exception, and SMTP errors name
        # the recipient.
        raise DeliveryError(f"e-mail {email_id}: {exc.__class__.__name__}") from None
    stored = body
    for secret in secrets:
        stored = stored.replace(secret, "…")
    mark(
        email_id,
        subject=subject,
        body=stored,
        status=Email.Status.SENT,
        sent_at=timezone.now(),
        error="",
    )
    return "sent"


def _fail(email_id, exc):
    logger.warning("e-mail %s failed: %s", email_id, exc.__class__.__name__)
    mark(email_id, status=Email.Status.FAILED, error=str(exc)[:2000])
