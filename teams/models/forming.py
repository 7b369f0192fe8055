"""Forming the teams: allocation runs, teams and the record of every change to them."""

from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commissions.models import Call, Commission, RunResult, check_same_call
from mias.i18n import render
from teams.models.people import Student, Supervisor


class AllocationRun(RunResult, models.Model):
    """One run of the team allocation: its options, proposal and explanation."""

    class Mode(models.TextChoices):
        RANK_MAXIMAL = "rank_maximal", _("Most first choices, then second…")
        GENEROUS = "generous", _("Fewest low choices first")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="allocation_runs", verbose_name=_("call")
    )
    number = models.PositiveIntegerField(_("run"), default=1)
    mode = models.CharField(_("objective"), max_length=14, choices=Mode)
    balance = models.BooleanField(_("balance backgrounds and languages"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    created_at = models.DateTimeField(_("run at"), auto_now_add=True)
    result = models.JSONField(_("result"), default=dict)
    seconds = models.FloatField(_("seconds"), default=0)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["call", "number"], name="one_allocation_number")
        ]

    def __str__(self):
        return _("%(call)s · run %(number)s") % {"call": self.call, "number": self.number}

    @property
    def supervisor_reason_text(self):
        return render(self.result.get("supervisor_reason"))


class TeamQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def with_members(self):
        """Members by name, with their accounts: no sorting left to the pages."""
        return self.prefetch_related(Prefetch("members", queryset=Student.objects.for_listing()))

    def for_board(self):
        return self.select_related(
            "commission__institution", "commission__sector", "supervisor__user"
        ).order_by("commission__reference")


class Team(models.Model):
    """The team of one selected commission."""

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="teams", verbose_name=_("call")
    )
    commission = models.OneToOneField(
        Commission, on_delete=models.PROTECT, related_name="team", verbose_name=_("commission")
    )
    supervisor = models.ForeignKey(
        Supervisor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teams",
        verbose_name=_("supervisor"),
    )
    locked = models.BooleanField(_("locked"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["commission__reference"]

    def __str__(self):
        return f"{self.commission.reference} · {self.commission.title}"

    def clean(self):
        super().clean()
        check_same_call(
            [
                (
                    "commission",
                    self.commission.call_id if self.commission_id else None,
                    self.call_id,
                    _("This commission belongs to another call."),
                ),
                (
                    "supervisor",
                    self.supervisor.call_id if self.supervisor_id else None,
                    self.call_id,
                    _("This supervisor belongs to another call."),
                ),
            ]
        )


class TeamEvent(models.Model):
    """Who changed which team, when, and how."""

    class Kind(models.TextChoices):
        APPLIED = "applied", _("Proposal applied")
        MOVED = "moved", _("Student moved")
        SUPERVISOR = "supervisor", _("Supervisor changed")
        LOCKED = "locked", _("Locked")
        UNLOCKED = "unlocked", _("Unlocked")
        PUBLISHED = "published", _("Published")
        MILESTONE_ADDED = "added", _("Milestone added")
        DATE_MOVED = "date_moved", _("Date moved")
        DONE = "done", _("Milestone done")
        REOPENED = "reopened", _("Milestone reopened")
        DELIVERABLE = "deliverable", _("Document handed in")
        FEEDBACK = "feedback", _("Institution feedback")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="team_events", verbose_name=_("call")
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("team"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    kind = models.CharField(_("what"), max_length=12, choices=Kind)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("team event")
        verbose_name_plural = _("team events")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def record(cls, subject, actor, kind, message=""):
        """Record a change of one team (subject: the Team) or of a call's teams (the Call)."""
        team = subject if isinstance(subject, Team) else None
        call_id = subject.call_id if team else subject.pk
        return cls.objects.create(
            call_id=call_id, team=team, actor=actor, kind=kind, message=message
        )
