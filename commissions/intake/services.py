"""State changes of commissions, each recorded in the commission's history."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from commissions import signals
from commissions.models import AccessToken, Call, Commission, CommissionEvent, Institution
from commissions.outbox.mail import fresh_key, queue_email

INSTITUTION_LINK = "institution link"


@transaction.atomic
def submit_commission(form, language):
    call = form.call
    institution = form.chosen_institution()
    data = form.cleaned_data
    if institution is None:
        institution = Institution.objects.create(
            name=data["institution_name"].strip(),
            legal_form=data["legal_form"],
            sector=data["sector"],
            address=data["address"].strip(),
            postal_code=data.get("postal_code", "").strip(),
            city=data["city"].strip(),
            website=data.get("website", ""),
        )
    commission = form.save(commit=False)
    commission.call = call
    commission.institution = institution
    commission.sector = data["sector"]
    commission.accepted_commitments = form.accepted_commitments()
    commission.consent_text = str(form.consent_text)
    commission.consent_at = timezone.now()
    commission.library_consent = bool(data.get("library_consent"))
    # The contact's choice on the form; the page's language when the form had none.
    commission.submitter_language = data.get("submitter_language") or language
    commission.save()
    commission.record(
        CommissionEvent.Kind.CREATED,
        actor_label=commission.contact_email,
        to_status=commission.status,
    )
    queue_email(
        f"confirmation:{commission.pk}",
        "confirmation",
        commission.contact_email,
        commission.submitter_language,
        commission,
    )
    for user in call.programme.coordinators.exclude(email=""):
        queue_email(
            f"coordinator_notice:{commission.pk}:{user.pk}",
            "coordinator_notice",
            user.email,
            "fr",
            commission,
        )
    return commission


@transaction.atomic
def update_commission(form):
    """Save the institution's edit, unless the commission changed since the form was opened
    (then False, and the form says so). The row lock makes two tabs saving at once safe."""
    current = Commission.objects.select_for_update().get(pk=form.instance.pk)
    if form.is_stale(current.version()):
        return False
    changed = [name for name in form.changed_data if name in form.fields and name != "version"]
    commission = form.save()
    if changed:
        commission.record(
            CommissionEvent.Kind.EDITED,
            actor_label=INSTITUTION_LINK,
            message=", ".join(str(form.fields[name].label) for name in changed),
            changes={"fields": changed},
        )
    return commission


@transaction.atomic
def withdraw_commission(commission, actor=None):
    locked = Commission.objects.select_for_update().get(pk=commission.pk)
    if not locked.can_withdraw():
        return False
    return locked.set_status(
        Commission.Status.WITHDRAWN,
        actor=actor,
        actor_label="" if actor else INSTITUTION_LINK,
    )


def send_link(commission, language=None):
    """Queue a fresh private link to the commission's contact; each call sends one.

    In the contact's language (chosen on the form), whatever page asked for it."""
    queue_email(
        fresh_key(f"link:{commission.pk}"),
        "link",
        commission.contact_email,
        commission.submitter_language or language or "fr",
        commission,
    )


def queue_link_request(email_address, language):
    """Hand "send my link again" to the queue (commissions.tasks.send_links).

    The task's arguments hold the address: it is not kept once the task ran (save=False)."""
    async_task(
        "commissions.tasks.send_links", email_address, language, q_options={"save": False}
    )


def send_links(email_address, language):
    """Queue a fresh private link for every live commission of this address."""
    commissions = Commission.objects.filter(contact_email__iexact=email_address).exclude(
        call__status=Call.Status.ARCHIVED
    )
    for commission in commissions:
        send_link(commission, language)
    return len(commissions)


@transaction.atomic
def revoke_links(commission, actor=None):
    count = (
        AccessToken.objects.valid().filter(commission=commission).update(revoked_at=timezone.now())
    )
    if count:
        commission.record(
            CommissionEvent.Kind.LINK, actor=actor, message=f"{count} private link(s) revoked"
        )
    signals.links_revoked.send(sender=Commission, commission=commission)
    return count


def details_editable(commission):
    """An institution corrects its details until the selection decisions are applied."""
    return commission.status in (
        Commission.Status.SUBMITTED,
        Commission.Status.UNDER_REVIEW,
    ) and not commission.call.selection_runs.filter(confirmed_at__isnull=False).exists()


@transaction.atomic
def update_institution(commission, form):
    """Save the institution's corrected details; the commission's history says what changed."""
    changed = [name for name in form.changed_data if name in form.fields]
    if not changed:
        return []
    before = Institution.objects.select_for_update().get(pk=form.instance.pk)
    values = {
        name: [str(getattr(before, name) or ""), str(form.cleaned_data[name] or "")]
        for name in changed
    }
    form.save()
    commission.record(
        CommissionEvent.Kind.EDITED,
        actor_label=INSTITUTION_LINK,
        message=_("Institution details: %(fields)s")
        % {"fields": ", ".join(str(form.fields[name].label) for name in changed)},
        changes={"institution": values},
    )
    return changed
