"""Invitations to answer a call, sent to organisations of under-represented sectors."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commissions.models import Call, Email, Institution


class Invitation(models.Model):
    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("call")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    email = models.ForeignKey(
        Email, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("e-mail")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(fields=["call", "institution"], name="one_invitation_per_call")
        ]

    def __str__(self):
        return f"{self.institution} ← {self.call}"
