"""The partner finder's stored embeddings: one vector per organisation, searched with numpy."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from commissions.models import Institution


class OrganisationVector(models.Model):
    institution = models.OneToOneField(
        Institution, on_delete=models.CASCADE, related_name="vector", verbose_name=_("organisation")
    )
    model = models.CharField(_("model"), max_length=60)
    # The text the vector was computed from, hashed: an unchanged organisation is not redone.
    digest = models.CharField(_("digest"), max_length=64)
    vector = models.BinaryField(_("vector"))  # float32, L2-normalised
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("organisation vector")
        verbose_name_plural = _("organisation vectors")

    def __str__(self):
        return f"{self.institution_id} ({self.model})"
