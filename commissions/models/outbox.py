"""E-mails: the outbox (each sent once) and the coordinators' wording of decision e-mails."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commissions.models.calls import Call, Programme
from commissions.models.intake import Commission
from commissions.outbox import placeholders
from mias.validators import bounded_text


class DecisionKind(models.TextChoices):
    """The e-mails that tell an institution the outcome of the selection."""

    SELECTED = "decision_selected", _("Commission selected")
    WAITLISTED = "decision_waitlisted", _("Commission on the waiting list")
    DECLINED = "decision_declined", _("Commission not selected")


class Email(models.Model):
    """The outbox: every e-mail the system sends, once per key.

    A delivery claims its row (queued or failed -> sending) in one conditional UPDATE before
    talking to the SMTP server, and marks it sent after; a row left *sending* (a worker died
    between the two) is reported on the outbox page, never sent again blindly.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # A row still sending after this long was left behind by a worker that died mid-way.
    STALE_AFTER = timedelta(minutes=10)

    KIND_LABELS = {
        "confirmation": _("Confirmation of the submission"),
        "link": _("Private link"),
        "coordinator_notice": _("New submission (coordinators)"),
        **dict(DecisionKind.choices),
    }
    # Looked up once per row of the outbox: a dict, not get_status_display's walk of the choices.
    STATUS_LABELS = dict(Status.choices)
    DECISION_KINDS = frozenset(DecisionKind.values)

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=40)
    to = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=8, default="fr")
    commission = models.ForeignKey(
        Commission,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("commission"),
    )
    # E-mails about people rather than one commission (invitations, teams) name their call
    # and carry what their renderer needs (a user, a team) in params.
    call = models.ForeignKey(
        Call,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("call"),
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.QUEUED)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at"]
        # An e-mail about a commission names its call too: the outbox reads a call's e-mails
        # newest first from one index, and its warnings (e-mails waiting, or left sending) one
        # status of them from the other.
        indexes = [
            models.Index(fields=["call", "-created_at"], name="email_call_newest"),
            models.Index(fields=["call", "status", "created_at"], name="email_call_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(commission__isnull=True) | models.Q(call__isnull=False),
                name="email_of_a_commission_names_its_call",
            )
        ]

    def __str__(self):
        return f"{self.kind} → {self.to}"

    def save(self, *args, **kwargs):
        if self.call_id is None and self.commission_id is not None:
            self.call_id = self.commission.call_id
        super().save(*args, **kwargs)

    @property
    def kind_label(self):
        return self.KIND_LABELS.get(self.kind, self.kind)

    @property
    def status_label(self):
        return self.STATUS_LABELS.get(self.status, self.status)

    @property
    def attempted(self):
        """Sent, or tried and failed: only then may a coordinator send it again."""
        return self.status != self.Status.QUEUED or bool(self.error)

    @property
    def is_decision(self):
        return self.kind in self.DECISION_KINDS

    @property
    def is_stale(self):
        """Claimed for sending long ago and never marked: delivered or not, nobody knows."""
        return (
            self.status == self.Status.SENDING
            and self.claimed_at is not None
            and timezone.now() - self.claimed_at > self.STALE_AFTER
        )


class MessageTemplate(models.Model):
    """A coordinator's wording of a decision e-mail; the file templates are the default."""

    Kind = DecisionKind

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="message_templates",
        verbose_name=_("programme"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=255)
    body = bounded_text(
        _("body"),
        help_text=_(
            "Plain text with these placeholders: {title} (the commission's title), {reference}, "
            "{contact_name}, {institution}, {call} (the call's title), {programme}, {link} "
            "(the institution's private link), {position} (its place on the waiting list)."
        ),
    )

    class Meta:
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "kind", "language"], name="one_template_per_kind_language"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.language})"

    def clean(self):
        super().clean()
        errors = {}
        for field in ("subject", "body"):
            wrong = placeholders.unknown(getattr(self, field))
            if wrong:
                errors[field] = _("Unknown placeholder: %(wrong)s. Use only %(known)s.") % {
                    "wrong": ", ".join(wrong),
                    "known": ", ".join("{" + name + "}" for name in placeholders.NAMES),
                }
        if errors:
            raise ValidationError(errors)
