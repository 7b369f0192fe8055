"""Following the year: milestones, documents handed in, feedback, reminders, calendars."""

import os
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commissions.models import Commission, check_same_call
from mias.validators import NOTE_TEXT, bounded_text
from teams.models.forming import Team


class PrivateStorage(FileSystemStorage):
    """Files no web server serves: only views that check who asks hand them out."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def private_storage():
    return PrivateStorage()


class MilestoneQuerySet(models.QuerySet):
    def timeline(self):
        # In the order things start: a long period (exploration) sits where it begins.
        return self.select_related("key_date").order_by("starts_at", "due_at", "pk")

    def for_board(self, call):
        return self.filter(team__call=call, team__published_at__isnull=False).timeline()


class Milestone(models.Model):
    """One team's step of the year, dated from a key date of the call unless moved for it."""

    class Deliverable(models.TextChoices):
        NONE = "", _("Nothing to hand in")
        REPORT = "report", _("Mission report")
        PRESENTATION = "presentation", _("Final presentation")
        DOCUMENT = "document", _("Document")

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("team")
    )
    key_date = models.ForeignKey(
        "commissions.KeyDate",
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("key date"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    due_at = models.DateTimeField(_("due"), db_index=True)
    overridden = models.BooleanField(
        _("moved for this team"),
        default=False,
        help_text=_("A moved date no longer follows the call's key date."),
    )
    deliverable = models.CharField(
        _("to hand in"), max_length=12, choices=Deliverable, default="", blank=True
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    note = bounded_text(_("supervisor's note"), max_length=NOTE_TEXT, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "key_date"], name="one_milestone_per_date")
        ]

    def __str__(self):
        return f"{self.team.commission.reference} · {self.key_date.label}"

    @property
    def label(self):
        return self.key_date.label_text

    def clean(self):
        super().clean()
        check_same_call(
            [
                (
                    "key_date",
                    self.key_date.call_id if self.key_date_id else None,
                    self.team.call_id if self.team_id else None,
                    _("This key date belongs to another call."),
                )
            ]
        )

    def not_sent_text(self):
        """ "Final presentation: not sent yet." — one sentence per kind, so French agrees."""
        return {
            self.Deliverable.REPORT: _("Mission report: not sent yet."),
            self.Deliverable.PRESENTATION: _("Final presentation: not sent yet."),
            self.Deliverable.DOCUMENT: _("Document: not sent yet."),
        }.get(self.deliverable, "")


def deliverable_path(instance, filename):
    # A random name on disk: the original name is kept in the row, never trusted as a path.
    team = instance.milestone.team_id
    return f"deliverables/team-{team}/{uuid.uuid4().hex}{os.path.splitext(filename)[1][:6]}"


class Deliverable(models.Model):
    """One uploaded version of what a milestone asks the team to hand in."""

    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.PROTECT,
        related_name="deliverables",
        verbose_name=_("milestone"),
    )
    version = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(
        _("file"), storage=private_storage, upload_to=deliverable_path, max_length=255
    )
    filename = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("type"), max_length=8)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # Empty while a draft: the team's own until a member sends it (the institution sees
    # only sent versions, and the milestone is done once one is sent).
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["milestone", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["milestone", "version"], name="one_version_number")
        ]

    def __str__(self):
        return f"{self.filename} (v{self.version})"


class Feedback(models.Model):
    """The institution's feedback on the mission report."""

    class Usefulness(models.IntegerChoices):
        NOT = 1, _("Not useful")
        LITTLE = 2, _("A little useful")
        FAIRLY = 3, _("Fairly useful")
        VERY = 4, _("Very useful")
        EXTREMELY = 5, _("Extremely useful")

    team = models.OneToOneField(
        Team, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("team")
    )
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("milestone"),
    )
    usefulness = models.PositiveSmallIntegerField(_("overall usefulness"), choices=Usefulness)
    improve = bounded_text(_("what to improve"), blank=True)
    comments = bounded_text(_("comments"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self):
        return f"{self.team} · {self.usefulness}/5"

    def clean(self):
        super().clean()
        if self.milestone_id and self.team_id and self.milestone.team_id != self.team_id:
            raise ValidationError({"milestone": _("This milestone belongs to another team.")})


class Reminder(models.Model):
    """One reminder step for one milestone and one person: the log that makes it once."""

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("milestone")
    )
    recipient = models.CharField(_("recipient"), max_length=40)
    step = models.CharField(_("step"), max_length=12)
    email = models.ForeignKey(
        "commissions.Email",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("e-mail"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "recipient", "step"], name="one_reminder_per_step"
            )
        ]

    def __str__(self):
        return f"{self.milestone_id} · {self.recipient} · {self.step}"


def new_feed_token():
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A private calendar address: a person's or an institution's; revoked, never reused."""

    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
        verbose_name=_("account"),
    )
    commission = models.ForeignKey(
        Commission,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
        verbose_name=_("commission"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True, user__isnull=False),
                name="one_live_feed_per_user",
            ),
            models.UniqueConstraint(
                fields=["commission"],
                condition=models.Q(revoked_at__isnull=True, commission__isnull=False),
                name="one_live_feed_per_commission",
            ),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) ^ models.Q(commission__isnull=False),
                name="feed_for_one_owner",
            ),
        ]

    def __str__(self):
        return f"{self.user or self.commission} · {self.created_at:%Y-%m-%d}"
