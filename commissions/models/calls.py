"""A programme's calls: the call, its key dates and criteria, the vocabularies, past work."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from commissions.models.translated import Translated, TranslatedText
from mias.validators import NOTE_TEXT, bounded_text


def check_same_call(checks):
    """Cross-object consistency for forms that pick related rows (the admin's, above all):
    checks is [(field, call id of the picked row or None, expected call id, message)]."""
    errors = {
        field: message
        for field, picked, expected, message in checks
        if picked is not None and expected is not None and picked != expected
    }
    if errors:
        raise ValidationError(errors)


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50)
    slug = models.SlugField(_("slug"), unique=True)
    description = bounded_text(_("description"), blank=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="coordinated_programmes",
        verbose_name=_("coordinators"),
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="reviewed_programmes",
        verbose_name=_("reviewers"),
        help_text=_("People the coordinators may ask to score this programme's submissions."),
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self):
        return self.name


def parse_reminder_days(text):
    """'7, 1' -> [7, 1]; ValueError on anything but whole numbers of days from 0 to 90."""
    days = sorted(
        {int(part) for part in str(text).replace(" ", "").split(",") if part}, reverse=True
    )
    if not days or any(d < 0 or d > 90 for d in days):
        raise ValueError(text)
    return days


def validate_reminder_days(value):
    from django.core.exceptions import ValidationError

    try:
        parse_reminder_days(value)
    except ValueError:
        raise ValidationError(
            _("Give whole numbers of days between 0 and 90, separated by commas, e.g. 7,1.")
        ) from None


class Call(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        SELECTING = "selecting", _("Selecting")
        RUNNING = "running", _("Running")
        ARCHIVED = "archived", _("Archived")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="calls", verbose_name=_("programme")
    )
    academic_year = models.CharField(_("academic year"), max_length=9, help_text="2024-2025")
    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    opens_at = models.DateTimeField(_("opens at"))
    deadline = models.DateTimeField(_("submission deadline"))
    places = models.PositiveSmallIntegerField(_("number of places"), default=10)
    team_size_target = models.PositiveSmallIntegerField(_("target team size"), default=5)
    team_size_min = models.PositiveSmallIntegerField(_("minimum team size"), default=4)
    team_size_max = models.PositiveSmallIntegerField(_("maximum team size"), default=6)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    retention_years = models.PositiveSmallIntegerField(
        _("retention period (years)"),
        default=3,
        help_text=_("Personal data is kept this many years after the end of the call."),
    )
    reminders_enabled = models.BooleanField(
        _("send reminders"),
        default=True,
        help_text=_("E-mail each person the milestones due soon and the documents overdue."),
    )
    reminder_days = models.CharField(
        _("remind this many days before"),
        max_length=40,
        default="7,1",
        validators=[validate_reminder_days],
        help_text=_("Comma-separated numbers of days, e.g. 7,1."),
    )
    preferences_deadline = models.DateTimeField(
        _("deadline for the students' rankings"),
        null=True,
        blank=True,
        help_text=_("Students rank the selected commissions until then; empty: no deadline."),
    )
    review_deadline = models.DateTimeField(
        _("deadline for the reviews"),
        null=True,
        blank=True,
        help_text=_(
            "Reviewers score their commissions until then; those who have not finished get "
            "one reminder two days before. Empty: no deadline, no reminder."
        ),
    )

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-opens_at"]

    def __str__(self):
        return f"{self.programme.short_name} {self.academic_year}"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.opens_at and self.deadline and self.deadline <= self.opens_at:
            errors["deadline"] = _("The deadline must come after the opening.")
        if not (self.team_size_min <= self.team_size_target <= self.team_size_max):
            errors["team_size_target"] = _(
                "The target team size must lie between the minimum and the maximum."
            )
        if errors:
            raise ValidationError(errors)

    def reminder_steps(self):
        """The days before a due date when reminders go, largest first: [7, 1]."""
        return parse_reminder_days(self.reminder_days)

    def accepts_submissions(self, now=None):
        now = now or timezone.now()
        return self.status == self.Status.OPEN and self.opens_at <= now < self.deadline

    def not_yet_open(self, now=None):
        now = now or timezone.now()
        return self.status in (self.Status.DRAFT, self.Status.OPEN) and now < self.opens_at

    def get_submit_url(self):
        return reverse("commissions:submit", args=[self.slug])

    def lab_ends_at(self):
        """When the year's lab ends: the latest 'end of the lab' key date (else None)."""
        ends = [
            kd.ends_at or kd.starts_at for kd in self.key_dates.all() if kd.kind == KeyDate.Kind.END
        ]
        return max(ends) if ends else None

    def is_finished(self, now=None, lab_ends_at=False):
        """A finished year is read-only: archived, or its lab ran and its end date has passed.

        A call that never reached its running year (draft, open, closed, selecting) stays
        open to changes. `lab_ends_at` may carry the end already read (an annotation).
        """
        if self.status == self.Status.ARCHIVED:
            return True
        if self.status != self.Status.RUNNING:
            return False
        end = self.lab_ends_at() if lab_ends_at is False else lab_ends_at
        return end is not None and end <= (now or timezone.now())

    def retention_until(self):
        ends = [kd.starts_at for kd in self.key_dates.all() if kd.kind == KeyDate.Kind.END]
        base = max(ends) if ends else self.deadline
        return base.date().replace(year=base.year + self.retention_years)

    def presentation_options(self):
        return [kd for kd in self.key_dates.all() if kd.kind == KeyDate.Kind.ORAL]

    def commitments(self):
        """The institution's commitments, one per kind of key date that asks one of it.

        Key dates of the same kind (the two oral-presentation days) make one commitment
        whose label names every option.
        """
        groups = {}
        for kd in self.key_dates.all():
            if kd.commitment:
                groups.setdefault(kd.kind, []).append(kd)
        return [Commitment(kds) for kds in groups.values()]


class Commitment:
    """One checkbox of the form: a commitment generated from key dates of one kind."""

    def __init__(self, key_dates):
        self.key_dates = sorted(key_dates, key=lambda kd: kd.starts_at)
        self.kind = self.key_dates[0].kind

    @property
    def field_name(self):
        return f"commitment_{self.kind}"

    @property
    def label(self):
        first = self.key_dates[0]
        text = first.tr("commitment")
        dates = _(" or ").join(kd.when() for kd in self.key_dates)
        return TranslatedText(f"{text} — {dates}" if dates else text, text.fallback)


class KeyDate(Translated):
    class Kind(models.TextChoices):
        DEADLINE = "deadline", _("Submission deadline")
        PHONE = "phone", _("Phone contact")
        PRESENTATION = "presentation", _("Presentation of the commissions to the students")
        CLARIFICATION = "clarification", _("Clarification meeting at the institution")
        EXPLORATION = "exploration", _("Exploration")
        REPORT = "report", _("Mission report sent")
        FEEDBACK = "feedback", _("Feedback meeting on the report")
        ORAL = "oral", _("Oral presentation at the institution")
        END = "end", _("End of the lab")
        OTHER = "other", _("Other")

    class Actor(models.TextChoices):
        INSTITUTION = "institution", _("Institution")
        STUDENTS = "students", _("Students")
        SUPERVISOR = "supervisor", _("Supervisor")
        COORDINATOR = "coordinator", _("Coordinator")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="key_dates", verbose_name=_("call")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    label = models.CharField(_("label"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    location = models.CharField(_("location"), max_length=255, blank=True)
    actor = models.CharField(_("who acts"), max_length=12, choices=Actor)
    commitment = bounded_text(
        _("commitment asked of the institution"),
        max_length=NOTE_TEXT,
        blank=True,
        help_text=_("Shown as a checkbox the institution must accept on the form."),
    )

    class Meta:
        verbose_name = _("key date")
        verbose_name_plural = _("key dates")
        ordering = ["starts_at", "pk"]

    translated_fields = ("label", "commitment", "location")

    def __str__(self):
        return f"{self.label_text} ({self.when()})"

    @property
    def label_text(self):
        """The label in the reader's language."""
        return self.tr("label")

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("The end must come after the start.")})

    def when(self):
        start = timezone.localtime(self.starts_at)
        if self.all_day:
            text = date_format(start, "DATE_FORMAT")
            if self.ends_at:
                end = timezone.localtime(self.ends_at)
                if end.date() != start.date():
                    text = f"{text} – {date_format(end, 'DATE_FORMAT')}"
            return text
        text = f"{date_format(start, 'DATE_FORMAT')}, {date_format(start, 'TIME_FORMAT')}"
        if self.ends_at:
            end = timezone.localtime(self.ends_at)
            if end.date() == start.date():
                text = f"{text} – {date_format(end, 'TIME_FORMAT')}"
            else:
                text = f"{text} – {date_format(end, 'DATE_FORMAT')}"
        return text


class Criterion(Translated):
    class Kind(models.TextChoices):
        REVIEWER = "reviewer", _("Scored by reviewers")
        PORTFOLIO = "portfolio", _("Computed on the portfolio")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call")
    )
    label = models.CharField(_("label"), max_length=200)
    description = bounded_text(_("description"), max_length=NOTE_TEXT, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=1)
    scale_min = models.SmallIntegerField(_("lowest score"), default=0)
    scale_max = models.SmallIntegerField(_("highest score"), default=4)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.REVIEWER)
    eliminatory = models.BooleanField(
        _("eliminatory"),
        default=False,
        help_text=_("A lowest score on this criterion makes the commission ineligible."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["order", "pk"]

    translated_fields = ("label", "description")

    def __str__(self):
        return self.tr("label")


class Vocabulary(Translated):
    """A coordinator-ordered list of names: sectors, contexts, types of commission."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    translated_fields = ("name",)

    def __str__(self):
        return self.tr("name")


class Sector(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class InterventionContext(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("intervention context")
        verbose_name_plural = _("intervention contexts")


class CommissionType(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("commission type")
        verbose_name_plural = _("commission types")


class PastConsultancy(models.Model):
    """An example from earlier years, shown on the call page and compared with new problems."""

    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        related_name="past_consultancies",
        verbose_name=_("programme"),
    )
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="+", verbose_name=_("sector")
    )
    summary = bounded_text(_("summary"))
    academic_year = models.CharField(_("academic year"), max_length=9, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    commission = models.OneToOneField(
        "commissions.Commission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="library_entry",
        verbose_name=_("from the commission"),
        help_text=_("Listed from a finished year's commission whose institution agreed."),
    )
    hidden = models.BooleanField(
        _("hidden"), default=False, help_text=_("Not shown on the call pages.")
    )

    class Meta:
        verbose_name = _("past consultancy")
        verbose_name_plural = _("past consultancies")
        ordering = ["order", "-academic_year", "pk"]

    def __str__(self):
        return f"{self.sector}: {self.summary[:60]}"


def weeks_for_years(years):
    """Whole weeks closest to `years` years, so each key date keeps its weekday."""
    return round(years * 365.2425 / 7)


def shifted_year(academic_year, years):
    """'2024-2025', 1 -> '2025-2026'."""
    start_year = int(academic_year[:4]) + years
    return f"{start_year}-{start_year + 1}"


def copy_slug(call, years):
    return f"{call.programme.slug}-{shifted_year(call.academic_year, years)}"[:50]


def copy_call(call, years, status=Call.Status.DRAFT):
    """A new call `years` later with the same settings, key dates and criteria."""
    shift = timedelta(weeks=weeks_for_years(years))
    academic_year = shifted_year(call.academic_year, years)
    with transaction.atomic():
        new = Call.objects.create(
            programme=call.programme,
            academic_year=academic_year,
            slug=copy_slug(call, years),
            title=call.title.replace(call.academic_year, academic_year),
            opens_at=call.opens_at + shift,
            deadline=call.deadline + shift,
            places=call.places,
            team_size_target=call.team_size_target,
            team_size_min=call.team_size_min,
            team_size_max=call.team_size_max,
            status=status,
            contact_name=call.contact_name,
            contact_email=call.contact_email,
            retention_years=call.retention_years,
            reminders_enabled=call.reminders_enabled,
            reminder_days=call.reminder_days,
            preferences_deadline=(
                call.preferences_deadline + shift if call.preferences_deadline else None
            ),
        )
        KeyDate.objects.bulk_create(
            [
                KeyDate(
                    call=new,
                    kind=kd.kind,
                    label=kd.label,
                    starts_at=kd.starts_at + shift,
                    ends_at=kd.ends_at + shift if kd.ends_at else None,
                    all_day=kd.all_day,
                    location=kd.location,
                    actor=kd.actor,
                    commitment=kd.commitment,
                    translations=kd.translations,
                )
                for kd in call.key_dates.all()
            ]
        )
        Criterion.objects.bulk_create(
            [
                Criterion(
                    call=new,
                    label=c.label,
                    description=c.description,
                    translations=c.translations,
                    weight=c.weight,
                    scale_min=c.scale_min,
                    scale_max=c.scale_max,
                    kind=c.kind,
                    eliminatory=c.eliminatory,
                    order=c.order,
                )
                for c in call.criteria.all()
            ]
        )
    return new
