"""The outbox: queue an e-mail once per key; a django-q2 task renders and sends it."""

import uuid

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_q.tasks import async_task

from commissions.models import AccessToken, Email, MessageTemplate
from commissions.outbox import placeholders
from mias.typography import for_language

# Other apps add their kinds of e-mail: kind -> (label, fn(email, issue_link) -> context, secrets).
CONTEXT_BUILDERS = {}


def register(kind, label):
    def decorator(builder):
        CONTEXT_BUILDERS[kind] = builder
        Email.KIND_LABELS[kind] = label
        return builder

    return decorator


def queue_email(key, kind, to, language="fr", commission=None, call=None, params=None):
    """Record the e-mail in the outbox and queue its delivery after commit.

    The same key never queues twice: calling again returns the existing row.
    """
    email, created = Email.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "to": to,
            "language": language,
            "commission": commission,
            "call": call,
            "params": params or {},
        },
    )
    if created:
        transaction.on_commit(lambda: async_task("commissions.tasks.deliver_email", email.pk))
    return email, created


def fresh_key(prefix):
    """A key for an e-mail sent again on purpose (a new link, an explicit resend)."""
    return f"{prefix}:{uuid.uuid4().hex}"


def absolute(path):
    return f"{settings.SITE_URL}{path}"


def portal_link(commission):
    """A fresh private link for the institution and its raw token (a secret to redact)."""
    raw = AccessToken.issue(commission)
    return absolute(reverse("commissions:portal", args=[raw])), raw


def institution_link(commission, issue_link=True):
    """The institution's private link for an e-mail, and the secrets to keep out of its copy.

    A fresh token per e-mail: only its hash is stored, so an old one cannot be re-read.
    Without issue_link (a preview) a placeholder link, and no token minted.
    """
    if issue_link:
        link, raw = portal_link(commission)
        return link, [raw]
    placeholder = absolute(reverse("commissions:portal", args=["TOKEN"]))
    return placeholder.replace("TOKEN", "…"), []


def _commission_context(email):
    commission = email.commission
    return {
        "commission": commission,
        "call": commission.call,
        "institution": commission.institution,
    }


def build_context(email, issue_link=True):
    """Context and the secrets to keep out of the stored copy, per kind of e-mail.

    Without issue_link (a preview) the link is shown but no token is minted.
    """
    if email.kind in CONTEXT_BUILDERS:
        return CONTEXT_BUILDERS[email.kind](email, issue_link)
    context = _commission_context(email) if email.commission_id else {}
    secrets = []
    if email.kind in ("confirmation", "link") or email.is_decision:
        context["link"], secrets = institution_link(email.commission, issue_link)
    if email.is_decision:
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
            # The coordinators' wording is text with placeholders, never a template.
            values = placeholder_values(context)
            subject = placeholders.substitute(custom.subject, values)
            body = placeholders.substitute(custom.body, values)
        else:
            subject = render_to_string(f"emails/{email.kind}_subject.txt", context)
            body = render_to_string(f"emails/{email.kind}.txt", context)
    # Plain str, not the template engine's SafeString: a page that previews the e-mail
    # must escape what the institution typed. French typography where labels meet values.
    subject = " ".join(subject.split())
    return "" + subject, "" + for_language(body, email.language)


def placeholder_values(context):
    """The text each placeholder of a decision e-mail stands for."""
    commission, call = context.get("commission"), context.get("call")
    return {
        "title": commission.title if commission else "",
        "reference": commission.reference if commission else "",
        "contact_name": commission.contact_name if commission else "",
        "institution": context["institution"].name if context.get("institution") else "",
        "call": call.title if call else "",
        "programme": call.programme.name if call else "",
        "link": context.get("link", ""),
        "position": context.get("position") or "",
    }


def _custom_template(email):
    """The coordinators' wording in the recipient's language, else in the main language."""
    if not email.is_decision or not email.commission_id:
        return None
    found = {
        t.language: t
        for t in MessageTemplate.objects.filter(
            programme_id=email.commission.call.programme_id,
            kind=email.kind,
            language__in=[email.language, settings.LANGUAGE_CODE],
        )
    }
    return found.get(email.language) or found.get(settings.LANGUAGE_CODE)


def preview(kind, commission, language, position=None):
    """What a decision e-mail will say to this commission, without sending or issuing a link."""
    email = Email(kind=kind, to=commission.contact_email, language=language, commission=commission)
    context, _secrets = build_context(email, issue_link=False)
    context["position"] = position or commission.waitlist_position or 1
    return render_email(email, context)
