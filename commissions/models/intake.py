"""What institutions submit: the organisation, the commission, its history, private links."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commissions.models.calls import (
    Call,
    CommissionType,
    InterventionContext,
    KeyDate,
    Sector,
    check_same_call,
)
from mias.validators import be_enterprise_number, bounded_text, lu_rcs_number


def validate_enterprise_number(value):
    if value:
        be_enterprise_number(value)


def validate_rcs_number(value):
    if value:
        lu_rcs_number(value)


class Institution(models.Model):
    class LegalForm(models.TextChoices):
        ASBL = "asbl", _("Non-profit association (ASBL/VZW)")
        CPAS = "cpas", _("Public social welfare centre (CPAS/OCMW)")
        PUBLIC = "public", _("Public authority or service")
        FOUNDATION = "foundation", _("Foundation")
        HOSPITAL = "hospital", _("Hospital or care institution")
        NGO = "ngo", _("NGO")
        COOPERATIVE = "cooperative", _("Social-purpose cooperative")
        NETWORK = "network", _("Network or federation")
        COMPANY = "company", _("Company")
        CLUB = "club", _("Service club")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=12, choices=LegalForm)
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="institutions", verbose_name=_("sector")
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=120)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The organisation registry: what the network and the partner finder know of it.
    key = models.SlugField(
        _("key"),
        max_length=80,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Stable identifier, kept from the directory file."),
    )
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. BE or LU.")
    )
    email = models.EmailField(
        _("organisation e-mail"), blank=True, help_text=_("A general address, not a person's.")
    )
    languages = models.JSONField(
        _("working languages"), default=list, blank=True, help_text=_("ISO 639-1 codes.")
    )
    sectors = models.ManyToManyField(
        Sector, related_name="organisations", blank=True, verbose_name=_("sectors of activity")
    )
    people_served = models.JSONField(_("people served"), default=list, blank=True)
    descriptions = models.JSONField(
        _("descriptions"),
        default=dict,
        blank=True,
        help_text=_("One text per language code, e.g. {\"fr\": \"…\", \"de\": \"…\"}."),
    )
    enterprise_number = models.CharField(
        _("Belgian enterprise number"),
        max_length=16,
        blank=True,
        validators=[validate_enterprise_number],
    )
    rcs_number = models.CharField(
        _("Luxembourg RCS number"), max_length=12, blank=True, validators=[validate_rcs_number]
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.city})"

    def clean(self):
        """Identifiers as written by hand (0403.170.701, b 123456) are stored normalised."""
        super().clean()
        errors = {}
        for name, normalise in (
            ("enterprise_number", be_enterprise_number),
            ("rcs_number", lu_rcs_number),
        ):
            value = getattr(self, name)
            if value:
                try:
                    setattr(self, name, normalise(value))
                except ValidationError as error:
                    errors[name] = error.messages
        if errors:
            raise ValidationError(errors)

    def description(self, language=None):
        """The description in the reader's language when there is one, else the first."""
        texts = self.descriptions or {}
        if language and texts.get(language):
            return language, texts[language]
        for code, text in texts.items():
            if text:
                return code, text
        return "", ""

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
            from commissions.signals import institution_merged

            self.sectors.add(*other.sectors.all())
            institution_merged.send(sender=Institution, keep=self, other=other)
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
    question = bounded_text(_("consultancy question"))
    context = bounded_text(_("context"))
    expected_outcome = bounded_text(_("expected outcome"))
    resources = bounded_text(_("resources and data offered"), blank=True)
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
    library_consent = models.BooleanField(
        _("may be listed as an example on future calls"),
        default=False,
        help_text=_("Once the year is over: its title, sector and question."),
    )
    submitter_language = models.CharField(_("language"), max_length=8, default="fr")
    status = models.CharField(_("status"), max_length=14, choices=Status, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    waitlist_position = models.PositiveSmallIntegerField(
        _("position on the waiting list"), null=True, blank=True
    )
    # Written by commissions.review.standing from the scores, for the review table's sort.
    merit = models.FloatField(_("merit"), null=True, blank=True, editable=False)
    spread = models.FloatField(
        _("spread of the reviewers' merits"), null=True, blank=True, editable=False
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
        # Numbers are compared as numbers: "…-1000" is longer than "…-999", and every
        # reference of a prefix has the same prefix, so the longest, then the highest, is last.
        last = (
            Commission.objects.filter(reference__startswith=prefix)
            .order_by(Length("reference").desc(), "-reference")
            .values_list("reference", flat=True)
            .first()
        )
        tail = last.rsplit("-", 1)[1] if last else ""
        number = int(tail) + 1 if tail.isdigit() else 1
        return f"{prefix}{number:03d}"

    def clean(self):
        super().clean()
        check_same_call(
            [
                (
                    "preferred_presentation",
                    self.preferred_presentation.call_id if self.preferred_presentation_id else None,
                    self.call_id,
                    _("This date belongs to another call."),
                )
            ]
        )

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
