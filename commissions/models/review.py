"""Reviewing: who reviews which commission, scores per criterion, coordinators' notes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commissions.models.calls import Criterion
from commissions.models.intake import Commission
from mias.validators import NOTE_TEXT, bounded_text


class ReviewAssignment(models.Model):
    """Who reviews what; submitted_at is set when the reviewer has scored every criterion."""

    commission = models.ForeignKey(
        Commission,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("commission"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="review_assignments",
        verbose_name=_("reviewer"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(fields=["commission", "reviewer"], name="one_assignment")
        ]

    def __str__(self):
        return f"{self.reviewer} → {self.commission.reference}"


class Review(models.Model):
    commission = models.ForeignKey(
        Commission, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("commission")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("reviewer"),
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("criterion")
    )
    score = models.SmallIntegerField(_("score"))
    comment = bounded_text(_("comment"), max_length=NOTE_TEXT, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["commission", "reviewer", "criterion"], name="one_score_per_criterion"
            )
        ]

    def __str__(self):
        return f"{self.commission.reference} · {self.criterion} · {self.score}"


class Note(models.Model):
    """A coordinator's note on a commission (a phone call…); never shown to others."""

    commission = models.ForeignKey(
        Commission, on_delete=models.CASCADE, related_name="notes", verbose_name=_("commission")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = bounded_text(_("note"), max_length=NOTE_TEXT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at"]

    def __str__(self):
        return self.text[:60]
