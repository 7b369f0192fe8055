"""The year's people and teams: students, supervisors, preferences, allocation runs, teams."""

import os
import secrets
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commissions.models import Call, Commission, Sector


class PersonQuerySet(models.QuerySet):
    def for_listing(self):
        return self.select_related("user").order_by("user__last_name", "user__first_name", "pk")


class Person(models.Model):
    """What students and supervisors share: one account, one call, an invitation."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, verbose_name=_("call"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("account")
    )
    language = models.CharField(_("language"), max_length=8, default="fr")
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.user.get_full_name() or self.user.email

    @property
    def email(self):
        return self.user.email

    @property
    def has_password(self):
        return self.user.has_usable_password()


class Student(Person):
    prior_studies = models.CharField(_("prior studies"), max_length=200)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    wishes = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="wished_by",
        verbose_name=_("wished teammates"),
    )
    team = models.ForeignKey(
        "Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("team"),
    )
    ranked_at = models.DateTimeField(_("ranking saved at"), null=True, blank=True)

    MAX_WISHES = 2

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        default_related_name = "students"
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="one_student_per_call")
        ]


class Supervisor(Person):
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="supervisors", verbose_name=_("expertise sectors")
    )
    capacity = models.PositiveSmallIntegerField(_("capacity (teams)"), default=1)

    class Meta:
        verbose_name = _("supervisor")
        verbose_name_plural = _("supervisors")
        default_related_name = "supervisors"
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="one_supervisor_per_call")
        ]


class PreferenceQuerySet(models.QuerySet):
    def ranks(self, call):
        """{(student pk, commission pk): rank} for a whole call, in one query."""
        rows = self.filter(student__call=call).values_list("student_id", "commission_id", "rank")
        return {(student, commission): rank for student, commission, rank in rows}


class Preference(models.Model):
    """A student's rank for one selected commission (1 = first choice)."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="preferences", verbose_name=_("student")
    )
    commission = models.ForeignKey(
        Commission,
        on_delete=models.CASCADE,
        related_name="preferences",
        verbose_name=_("commission"),
    )
    rank = models.PositiveSmallIntegerField(_("rank"))

    objects = PreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")
        ordering = ["student", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["student", "commission"], name="one_rank_each"),
            models.UniqueConstraint(fields=["student", "rank"], name="distinct_ranks"),
        ]

    def __str__(self):
        return f"{self.student} · {self.rank} · {self.commission.reference}"


class RosterImport(models.Model):
    """An uploaded roster: checked first, written only when the coordinator confirms."""

    class Kind(models.TextChoices):
        STUDENTS = "students", _("Students")
        SUPERVISORS = "supervisors", _("Supervisors")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="roster_imports", verbose_name=_("call")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    filename = models.CharField(_("file"), max_length=255)
    digest = models.CharField(_("SHA-256"), max_length=64)
    rows = models.JSONField(_("rows"), default=list)
    errors = models.JSONField(_("errors"), default=list)
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.filename}"


class AllocationRun(models.Model):
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
        return f"{self.call} · {_('run')} {self.number}"

    @property
    def feasible(self):
        return bool(self.result.get("feasible"))


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
    note = models.TextField(_("supervisor's note"), blank=True)
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
        return self.key_date.label


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
    improve = models.TextField(_("what to improve"), blank=True)
    comments = models.TextField(_("comments"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self):
        return f"{self.team} · {self.usefulness}/5"


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
