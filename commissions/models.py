import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


class Programme(models.Model):
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50)
    slug = models.SlugField(_("slug"), unique=True)
    description = models.TextField(_("description"), blank=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="coordinated_programmes",
        verbose_name=_("coordinators"),
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CallQuerySet(models.QuerySet):
    def accepting(self, now=None):
        now = now or timezone.now()
        return self.filter(status=Call.Status.OPEN, opens_at__lte=now, deadline__gt=now)


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

    objects = CallQuerySet.as_manager()

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
        dates = _(" or ").join(kd.when() for kd in self.key_dates)
        return f"{first.commitment} — {dates}" if dates else first.commitment


class KeyDate(models.Model):
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
    commitment = models.TextField(
        _("commitment asked of the institution"),
        blank=True,
        help_text=_("Shown as a checkbox the institution must accept on the form."),
    )

    class Meta:
        verbose_name = _("key date")
        verbose_name_plural = _("key dates")
        ordering = ["starts_at", "pk"]

    def __str__(self):
        return f"{self.label} ({self.when()})"

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
        text = f"{date_format(start, 'l j F Y')}, {date_format(start, 'TIME_FORMAT')}"
        if self.ends_at:
            end = timezone.localtime(self.ends_at)
            if end.date() == start.date():
                text = f"{text} – {date_format(end, 'TIME_FORMAT')}"
            else:
                text = f"{text} – {date_format(end, 'DATE_FORMAT')}"
        return text


class Criterion(models.Model):
    class Kind(models.TextChoices):
        REVIEWER = "reviewer", _("Scored by reviewers")
        PORTFOLIO = "portfolio", _("Computed on the portfolio")

    call = models.ForeignKey(
        Call, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("call")
    )
    label = models.CharField(_("label"), max_length=200)
    description = models.TextField(_("description"), blank=True)
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

    def __str__(self):
        return self.label


class Vocabulary(models.Model):
    """A coordinator-ordered list of names: sectors, contexts, types of commission."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


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
    summary = models.TextField(_("summary"))
    academic_year = models.CharField(_("academic year"), max_length=9, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("past consultancy")
        verbose_name_plural = _("past consultancies")
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.sector}: {self.summary[:60]}"


class Institution(models.Model):
    class LegalForm(models.TextChoices):
        ASBL = "asbl", _("Non-profit association (ASBL/VZW)")
        CPAS = "cpas", _("Public social welfare centre (CPAS/OCMW)")
        PUBLIC = "public", _("Public authority or service")
        FOUNDATION = "foundation", _("Foundation")
        HOSPITAL = "hospital", _("Hospital or care institution")
        NGO = "ngo", _("NGO")
        COOPERATIVE = "cooperative", _("Social-purpose cooperative")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=12, choices=LegalForm)
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="institutions", verbose_name=_("sector")
    )
    address = models.CharField(_("address"), max_length=255)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=120)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.city})"

    @transaction.atomic
    def merge(self, others, actor=None):
        """Absorb duplicate institutions: their commissions move here, they are deleted."""
        moved = 0
        for other in others:
            if other.pk == self.pk:
                continue
            for commission in other.commissions.all():
                commission.institution = self
                commission.save(update_fields=["institution"])
                commission.record(
                    CommissionEvent.Kind.EDITED,
                    actor=actor,
                    message=f"Institution merged: {other} → {self}",
                )
                moved += 1
            other.delete()
        return moved


class CommissionQuerySet(models.QuerySet):
    def for_listing(self):
        return self.select_related(
            "institution", "call__programme", "sector", "commission_type", "intervention_context"
        )

    def active(self):
        return self.exclude(status=Commission.Status.WITHDRAWN)

    def matching(self, sector=None, type=None, context=None, status="", q=""):
        """The review table's filters; empty values filter nothing."""
        qs = self
        if sector:
            qs = qs.filter(sector_id=sector)
        if type:
            qs = qs.filter(commission_type_id=type)
        if context:
            qs = qs.filter(intervention_context_id=context)
        if status in Commission.Status.values:
            qs = qs.filter(status=status)
        if q:
            qs = qs.filter(
                models.Q(title__icontains=q)
                | models.Q(institution__name__icontains=q)
                | models.Q(reference__icontains=q)
            )
        return qs


class Commission(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        SELECTED = "selected", _("Selected")
        WAITLISTED = "waitlisted", _("Waitlisted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Language(models.TextChoices):
        FR = "fr", _("French")
        NL = "nl", _("Dutch")
        DE = "de", _("German")
        EN = "en", _("English")
        LB = "lb", _("Luxembourgish")
        OTHER = "other", _("Other")

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="commissions", verbose_name=_("call")
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="commissions",
        verbose_name=_("institution"),
    )
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_role = models.CharField(_("role"), max_length=200)
    contact_email = models.EmailField(_("e-mail"))
    contact_phone = models.CharField(_("phone"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    question = models.TextField(_("consultancy question"))
    context = models.TextField(_("context"))
    expected_outcome = models.TextField(_("expected outcome"))
    resources = models.TextField(_("resources and data offered"), blank=True)
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="commissions", verbose_name=_("sector")
    )
    commission_type = models.ForeignKey(
        CommissionType,
        on_delete=models.PROTECT,
        related_name="commissions",
        verbose_name=_("type of commission"),
    )
    intervention_context = models.ForeignKey(
        InterventionContext,
        on_delete=models.PROTECT,
        related_name="commissions",
        verbose_name=_("intervention context"),
    )
    languages = models.JSONField(_("languages the students will need"), default=list)
    accepted_commitments = models.JSONField(_("commitments accepted"), default=list)
    preferred_presentation = models.ForeignKey(
        KeyDate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("preferred oral-presentation date"),
    )
    consent_text = models.TextField(_("consent text"), blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    submitter_language = models.CharField(_("language"), max_length=8, default="fr")
    status = models.CharField(_("status"), max_length=14, choices=Status, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    waitlist_position = models.PositiveSmallIntegerField(
        _("position on the waiting list"), null=True, blank=True
    )

    objects = CommissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self):
        return f"{self.reference} — {self.title}"

    def save(self, *args, **kwargs):
        if self.reference:
            return super().save(*args, **kwargs)
        # Two submissions at once may pick the same number: the unique index refuses the
        # second, which takes the next one (the savepoint keeps the outer transaction usable).
        for attempt in range(10):
            self.reference = self._next_reference()
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                self.reference = ""
                if attempt == 9:
                    raise

    def _next_reference(self):
        year = self.call.academic_year[:4]
        prefix = f"{self.call.programme.short_name[:6].upper().replace(' ', '')}-{year}-"
        last = (
            Commission.objects.filter(reference__startswith=prefix)
            .order_by("-reference")
            .values_list("reference", flat=True)
            .first()
        )
        number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
        return f"{prefix}{number:03d}"

    def version(self):
        """Changes whenever the commission is saved: guards against overwriting from a stale tab."""
        return self.updated_at.isoformat() if self.updated_at else ""

    def language_labels(self):
        labels = dict(self.Language.choices)
        return [str(labels.get(code, code)) for code in self.languages]

    def is_editable(self, now=None):
        return self.status in (self.Status.SUBMITTED, self.Status.UNDER_REVIEW) and (
            self.call.accepts_submissions(now)
        )

    def can_withdraw(self):
        return self.status in (self.Status.SUBMITTED, self.Status.UNDER_REVIEW) and (
            self.call.status in (Call.Status.DRAFT, Call.Status.OPEN, Call.Status.CLOSED)
        )

    def record(
        self,
        kind,
        actor=None,
        actor_label="",
        message="",
        from_status="",
        to_status="",
        changes=None,
    ):
        return CommissionEvent.objects.create(
            commission=self,
            kind=kind,
            actor=actor if actor is not None and actor.is_authenticated else None,
            actor_label=actor_label or (str(actor) if actor and actor.is_authenticated else ""),
            message=message,
            from_status=from_status,
            to_status=to_status,
            changes=changes or {},
        )

    def set_status(self, new_status, actor=None, actor_label="", message=""):
        old = self.status
        if old == new_status:
            return False
        self.status = new_status
        self.save(update_fields=["status", "updated_at"])
        self.record(
            CommissionEvent.Kind.STATUS,
            actor=actor,
            actor_label=actor_label,
            message=message,
            from_status=old,
            to_status=new_status,
        )
        return True


class CommissionEvent(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", _("Submitted")
        EDITED = "edited", _("Edited")
        STATUS = "status", _("Status changed")
        LINK = "link", _("Private link")

    commission = models.ForeignKey(
        Commission, on_delete=models.CASCADE, related_name="events", verbose_name=_("commission")
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
    actor_label = models.CharField(_("who (label)"), max_length=200, blank=True)
    kind = models.CharField(_("what"), max_length=10, choices=Kind)
    from_status = models.CharField(_("from"), max_length=14, blank=True)
    to_status = models.CharField(_("to"), max_length=14, blank=True)
    message = models.TextField(_("message"), blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


def hash_token(raw):
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class AccessTokenQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(revoked_at__isnull=True)


class AccessToken(models.Model):
    """A private link to one commission; only the SHA-256 of the token is stored."""

    commission = models.ForeignKey(
        Commission, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("commission")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("private link")
        verbose_name_plural = _("private links")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.commission.reference} · {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def issue(cls, commission):
        raw = secrets.token_urlsafe(32)
        cls.objects.create(commission=commission, token_hash=hash_token(raw))
        return raw

    @classmethod
    def resolve(cls, raw):
        """The commission a raw token opens, or None for unknown or revoked tokens."""
        if not raw or len(raw) > 100:
            return None
        token = (
            cls.objects.valid()
            .select_related(
                "commission__call__programme",
                "commission__institution",
                "commission__sector",
                "commission__commission_type",
                "commission__intervention_context",
                "commission__preferred_presentation",
            )
            .filter(token_hash=hash_token(raw))
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        if not token.last_used_at or now - token.last_used_at > timedelta(minutes=5):
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.commission


class DecisionKind(models.TextChoices):
    """The e-mails that tell an institution the outcome of the selection."""

    SELECTED = "decision_selected", _("Commission selected")
    WAITLISTED = "decision_waitlisted", _("Commission on the waiting list")
    DECLINED = "decision_declined", _("Commission not selected")


class Email(models.Model):
    """The outbox: every e-mail the system sends, once per key."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    KIND_LABELS = {
        "confirmation": _("Confirmation of the submission"),
        "link": _("Private link"),
        "coordinator_notice": _("New submission (coordinators)"),
        **dict(DecisionKind.choices),
    }

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

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} → {self.to}"

    @property
    def kind_label(self):
        return self.KIND_LABELS.get(self.kind, self.kind)

    @property
    def is_decision(self):
        return self.kind in DecisionKind.values


def weeks_for_years(years):
    """Whole weeks closest to `years` years, so each key date keeps its weekday."""
    return round(years * 365.2425 / 7)


def copy_call(call, years, status=Call.Status.DRAFT):
    """A new call `years` later with the same settings, key dates and criteria."""
    shift = timedelta(weeks=weeks_for_years(years))
    start_year = int(call.academic_year[:4]) + years
    academic_year = f"{start_year}-{start_year + 1}"
    with transaction.atomic():
        new = Call.objects.create(
            programme=call.programme,
            academic_year=academic_year,
            slug=f"{call.programme.slug}-{academic_year}"[:50],
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
    comment = models.TextField(_("comment"), blank=True)
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
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at"]

    def __str__(self):
        return self.text[:60]


class SelectionRun(models.Model):
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
        return f"{self.call} · {_('run')} {self.number}"

    @property
    def feasible(self):
        return bool(self.result.get("feasible"))


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
    body = models.TextField(
        _("body"),
        help_text=_(
            "Django template: {{ commission.title }}, {{ commission.contact_name }}, "
            "{{ institution.name }}, {{ call.title }}, {{ link }}, {{ position }} (waiting list)."
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
