"""The year's people: students and supervisors, the students' rankings, roster imports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commissions.accounts import language_of
from commissions.models import Call, Commission, Sector, check_same_call
from mias.validators import NOTE_TEXT, bounded_text


class PersonQuerySet(models.QuerySet):
    def for_listing(self):
        return self.select_related("user__profile").order_by(
            "user__last_name", "user__first_name", "pk"
        )


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
    def reader_language(self):
        """The language of this person's e-mails: their account's, else this record's."""
        return language_of(self.user, self.language)

    @property
    def has_password(self):
        return self.user.has_usable_password()


class Student(Person):
    prior_studies = models.CharField(_("prior studies"), max_length=200)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    notes = bounded_text(_("notes"), max_length=NOTE_TEXT, blank=True)
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

    def clean(self):
        super().clean()
        check_same_call(
            [
                (
                    "team",
                    self.team.call_id if self.team_id else None,
                    self.call_id,
                    _("This team belongs to another call."),
                )
            ]
        )


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
