"""The outbox: queue an e-mail once per key; a django-q2 task renders and sends it."""

from django.conf import settings
from django.db import transaction
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_q.tasks import async_task

from .models import AccessToken, Email

DECISION_KINDS = ("decision_selected", "decision_waitlisted", "decision_declined")


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
    if email.kind in ("confirmation", "link") or email.kind in DECISION_KINDS:
        extra, raw = _link_context(email.commission)
        context.update(extra)
        secrets.append(raw)
    if email.kind in DECISION_KINDS:
        context["position"] = email.commission.waitlist_position
    if email.kind == "coordinator_notice":
        context["admin_link"] = absolute(
            reverse("admin:commissions_commission_change", args=[email.commission_id])
        )
    return context, secrets


def render_email(email, context):
    """Subject and body in the recipient's language, from the coordinators' wording if any."""
    with translation.override(email.language):
        custom = _custom_template(email)
        if custom is not None:
            subject = Template(custom.subject).render(Context(context, autoescape=False))
            body = Template(custom.body).render(Context(context, autoescape=False))
        else:
            subject = render_to_string(f"emails/{email.kind}_subject.txt", context)
            body = render_to_string(f"emails/{email.kind}.txt", context)
    return " ".join(subject.split()), body


def _custom_template(email):
    from .models import MessageTemplate

    if email.kind not in DECISION_KINDS or not email.commission_id:
        return None
    return MessageTemplate.objects.filter(
        programme_id=email.commission.call.programme_id,
        kind=email.kind,
        language=email.language,
    ).first()


def preview(kind, commission, language):
    """What a decision e-mail will say to this commission, without sending or issuing a link."""
    email = Email(kind=kind, to=commission.contact_email, language=language, commission=commission)
    context = {
        **_commission_context(email),
        "link": absolute(reverse("commissions:portal", args=["TOKEN"])).replace("TOKEN", "…"),
        "position": commission.waitlist_position or 1,
    }
    return render_email(email, context)
