"""Is the task queue delivering? When it last worked, and whether it seems stopped.

Without a worker (`manage.py qcluster`) every e-mail stays queued and nothing says why: the
outbox shows when the queue last finished a task, and warns once e-mails have waited longer
than STALLED_AFTER with no task finished since they were queued.
"""

from datetime import timedelta

from django.db.models import Max, Min
from django.utils import timezone
from django_q.models import Task

from commissions.models import Email

STALLED_AFTER = timedelta(minutes=10)


def queue_health(emails=None, now=None):
    """{"last_worked": datetime | None, "waiting_since": datetime | None, "stalled": bool}."""
    now = now or timezone.now()
    emails = Email.objects.all() if emails is None else emails
    waiting_since = emails.filter(status=Email.Status.QUEUED).aggregate(first=Min("created_at"))[
        "first"
    ]
    last_worked = Task.objects.aggregate(last=Max("stopped"))["last"]
    stalled = (
        waiting_since is not None
        and now - waiting_since > STALLED_AFTER
        and (last_worked is None or last_worked < waiting_since)
    )
    return {"last_worked": last_worked, "waiting_since": waiting_since, "stalled": stalled}


def stale_emails(emails, now=None):
    """The e-mails claimed for sending longer ago than Email.STALE_AFTER and never marked."""
    now = now or timezone.now()
    return emails.filter(
        status=Email.Status.SENDING, claimed_at__lt=now - Email.STALE_AFTER
    ).order_by("claimed_at")
