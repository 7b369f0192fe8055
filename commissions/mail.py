"""The outbox: queue an e-mail once per key; a django-q2 task renders and sends it."""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_q.tasks import async_task

from .models import AccessToken, Email


def queue_email(key, kind, to, language="fr", commission=None):
    """Record the e-mail in the outbox and queue its delivery after commit.

    The same key never queues twice: calling again returns the existing row.
    """
    email, created = Email.objects.get_or_create(
        key=key,
        defaults={"kind": kind, "to": to, "language": language, "commission": commission},
    )
    if created:
        transaction.on_commit(lambda: async_task("commissions.tasks.deliver_email", email.pk))
    return email, created


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def _link_context(commission):
    # A fresh token per e-mail: only its hash is stored, so an old one cannot be re-read.
    raw = AccessToken.issue(commission)
    return {"link": absolute(reverse("commissions:portal", args=[raw]))}, raw


def _commission_context(email):
    commission = email.commission
    return {
        "commission": commission,
        "call": commission.call,
        "institution": commission.institution,
    }


def build_context(email):
    """Context and the secrets to keep out of the stored copy, per kind of e-mail."""
    context = _commission_context(email) if email.commission_id else {}
    secrets = []
    if email.kind in ("confirmation", "link"):
        extra, raw = _link_context(email.commission)
        context.update(extra)
        secrets.append(raw)
    if email.kind == "coordinator_notice":
        context["admin_link"] = absolute(
            reverse("admin:commissions_commission_change", args=[email.commission_id])
        )
    return context, secrets


def render_email(email, context):
    with translation.override(email.language):
        subject = render_to_string(f"emails/{email.kind}_subject.txt", context)
        body = render_to_string(f"emails/{email.kind}.txt", context)
    return " ".join(subject.split()), body
