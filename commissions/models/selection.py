"""Selection runs of the portfolio optimiser, with their settings, result and decision."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commissions.models.calls import Call
from mias.i18n import render


class RunResult:
    """What a run (a selection, a team proposal) stored in `result`, read in the reader's
    language: the sentences are kept as codes and numbers, not as text."""

    @property
    def summary_text(self):
        return render(self.result.get("summary"))

    @property
    def reason_text(self):
        return render(self.result.get("reason"))

    @property
    def feasible(self):
        return bool(self.result.get("feasible"))


class SelectionRun(RunResult, models.Model):
    """One run of the portfolio optimiser: its parameters, result and explanation."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="selection_runs", verbose_name=_("call")
    )
    number = models.PositiveIntegerField(_("run"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    created_at = models.DateTimeField(_("run at"), auto_now_add=True)
    params = models.JSONField(_("parameters"), default=dict)
    result = models.JSONField(_("result"), default=dict)
    fingerprint = models.CharField(max_length=64, editable=False)
    seconds = models.FloatField(_("seconds"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    class Meta:
        verbose_name = _("selection run")
        verbose_name_plural = _("selection runs")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["call", "number"], name="one_run_number")]

    def __str__(self):
        return _("%(call)s · run %(number)s") % {"call": self.call, "number": self.number}
