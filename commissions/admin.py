from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from commissions.intake import services
from commissions.models import (
    AccessToken,
    Call,
    Commission,
    CommissionEvent,
    CommissionType,
    Criterion,
    Email,
    Institution,
    InterventionContext,
    KeyDate,
    MessageTemplate,
    PastConsultancy,
    Programme,
    Sector,
    SelectionRun,
)
from mias.validators import PlainTextMixin

# Models without an admin of their own, and the path from each to its programme.
PROGRAMME_PATHS = {KeyDate: "call__programme", Criterion: "call__programme"}


def scoped(queryset, path, user):
    """The rows of the queryset inside the user's programmes (all of them for a superuser)."""
    if user.is_superuser:
        return queryset
    lookup = f"{path}__coordinators" if path else "coordinators"
    return queryset.filter(**{lookup: user}).distinct()


# How an account belongs to a programme: lookups from the user to a Programme. Apps above
# add theirs (teams: its students and supervisors) in their admin module.
USER_TIES = ["coordinated_programmes", "reviewed_programmes"]


def scoped_users(user):
    """Accounts a coordinator may pick: no administrator, no staff account other than the
    coordinators of their own programmes, and no account of another programme only."""
    User = get_user_model()
    if user.is_superuser:
        return User.objects.all()
    mine = Programme.objects.filter(coordinators=user)
    others = Programme.objects.exclude(pk__in=mine)

    def tied_to(programmes):
        ties = Q()
        for tie in USER_TIES:
            ties |= Q(**{f"{tie}__in": programmes})
        return User.objects.filter(ties).values("pk")

    return (
        User.objects.filter(is_superuser=False)
        .filter(Q(is_staff=False) | Q(coordinated_programmes__in=mine))
        .exclude(Q(pk__in=tied_to(others)) & ~Q(pk__in=tied_to(mine)))
        .distinct()
    )


class PlainTextModelForm(PlainTextMixin, forms.ModelForm):
    """Admin forms: no control characters in what is typed."""


class ProgrammeScopedAdmin(admin.ModelAdmin):
    """Coordinators see, and may choose, the objects of the programmes they coordinate only;
    superusers all. Every foreign-key and many-to-many choice of the form is scoped too: a
    coordinator of programme A who posts programme B's ids gets a form error."""

    programme_path = None
    form = PlainTextModelForm

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.programme_path is None:
            return qs
        return scoped(qs, self.programme_path, request.user)

    def _scope_choices(self, db_field, request, kwargs):
        if request.user.is_superuser:
            return
        related = db_field.remote_field.model
        if related is get_user_model():
            kwargs["queryset"] = scoped_users(request.user)
            return
        other = self.admin_site._registry.get(related)
        path = getattr(other, "programme_path", None)
        if path is None:
            path = PROGRAMME_PATHS.get(related)
        if path is not None:
            kwargs["queryset"] = scoped(related._default_manager.all(), path, request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _call_of(self, obj):
        """The call an object belongs to, from its programme path (call__programme…)."""
        path = self.programme_path or ""
        if not path.endswith("__programme"):
            return None  # a programme, a call itself, a message template: not one year's
        for part in path.removesuffix("__programme").split("__"):
            obj = getattr(obj, part, None)
        return obj

    def in_finished_year(self, request, obj):
        """A finished year is read-only for coordinators (superusers may still mend it)."""
        if obj is None or request.user.is_superuser:
            return False
        call = self._call_of(obj)
        return call is not None and call.is_finished()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self.in_finished_year(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self.in_finished_year(
            request, obj
        )


def only_related(*names):
    """List filters on relations that offer only the values of the rows one may see."""
    return [(name, admin.RelatedOnlyFieldListFilter) for name in names]


@admin.register(Programme)
class ProgrammeAdmin(ProgrammeScopedAdmin):
    programme_path = ""
    list_display = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}
    filter_horizontal = ["coordinators", "reviewers"]


class KeyDateInline(admin.TabularInline):
    model = KeyDate
    extra = 0
    fields = [
        "kind",
        "label",
        "starts_at",
        "ends_at",
        "all_day",
        "location",
        "actor",
        "commitment",
        "translations",
    ]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = [
        "order",
        "label",
        "description",
        "weight",
        "scale_min",
        "scale_max",
        "kind",
        "eliminatory",
        "translations",
    ]


@admin.register(Call)
class CallAdmin(ProgrammeScopedAdmin):
    programme_path = "programme"
    list_display = [
        "__str__",
        "title",
        "status",
        "opens_at",
        "deadline",
        "places",
        "submission_count",
    ]
    list_filter = ["status", *only_related("programme")]
    prepopulated_fields = {"slug": ["academic_year"]}
    inlines = [KeyDateInline, CriterionInline]
    fieldsets = [
        (None, {"fields": ["programme", "academic_year", "slug", "title", "status"]}),
        (_("Submissions"), {"fields": ["opens_at", "deadline", "contact_name", "contact_email"]}),
        (_("Reviews"), {"fields": ["review_deadline"]}),
        (
            _("Teams"),
            {
                "fields": [
                    "places",
                    "team_size_min",
                    "team_size_target",
                    "team_size_max",
                    "preferences_deadline",
                ]
            },
        ),
        (_("Follow-up"), {"fields": ["reminders_enabled", "reminder_days"]}),
        (_("Data protection"), {"fields": ["retention_years"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("programme")
            .annotate(n_commissions=Count("commissions"))
        )

    @admin.display(description=_("submissions"), ordering="n_commissions")
    def submission_count(self, obj):
        return obj.n_commissions


class CommissionEventInline(admin.TabularInline):
    model = CommissionEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "actor", "actor_label", "from_status", "to_status", "message"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class AccessTokenInline(admin.TabularInline):
    model = AccessToken
    extra = 0
    can_delete = False
    fields = ["created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Commission)
class CommissionAdmin(ProgrammeScopedAdmin):
    programme_path = "call__programme"
    list_display = [
        "reference",
        "title",
        "institution",
        "sector",
        "commission_type",
        "status",
        "submitted_at",
    ]
    list_filter = [
        *only_related("call"),
        "status",
        "sector",
        "commission_type",
        "intervention_context",
    ]
    search_fields = [
        "reference",
        "title",
        "question",
        "institution__name",
        "contact_name",
        "contact_email",
    ]
    list_select_related = ["institution", "sector", "commission_type"]
    readonly_fields = [
        "reference",
        "submitted_at",
        "updated_at",
        "consent_text",
        "consent_at",
        "accepted_commitments",
    ]
    autocomplete_fields = ["institution"]
    inlines = [CommissionEventInline, AccessTokenInline]
    actions = ["revoke_links", "resend_links"]
    date_hierarchy = "submitted_at"

    def save_model(self, request, obj, form, change):
        if change and "status" in form.changed_data:
            new_status = obj.status
            obj.status = form.initial["status"]
            super().save_model(request, obj, form, change)
            obj.set_status(new_status, actor=request.user)
        else:
            super().save_model(request, obj, form, change)

    @admin.action(description=_("Revoke the private links"))
    def revoke_links(self, request, queryset):
        count = sum(services.revoke_links(c, actor=request.user) for c in queryset)
        self.message_user(request, ngettext("%d link revoked.", "%d links revoked.", count) % count)

    @admin.action(description=_("Send a new private link to the contact"))
    def resend_links(self, request, queryset):
        for commission in queryset:
            services.send_link(commission, commission.submitter_language)
        self.message_user(request, _("The links are on their way."), messages.SUCCESS)


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "legal_form", "sector", "city", "country", "commission_count"]
    list_filter = ["legal_form", "country", "sector"]
    search_fields = ["name", "city", "key"]
    filter_horizontal = ["sectors"]
    actions = ["merge_institutions"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("sector")
            .annotate(n_commissions=Count("commissions"))
        )

    @admin.display(description=_("commissions"), ordering="n_commissions")
    def commission_count(self, obj):
        return obj.n_commissions

    @admin.action(description=_("Merge the selected institutions"))
    def merge_institutions(self, request, queryset):
        institutions = list(queryset)
        if len(institutions) < 2:
            self.message_user(
                request, _("Select at least two institutions to merge."), messages.WARNING
            )
            return None
        keep_id = request.POST.get("keep")
        if keep_id:
            keep = next((i for i in institutions if str(i.pk) == keep_id), None)
            if keep is None:
                self.message_user(request, _("Choose which institution to keep."), messages.ERROR)
                return None
            moved = keep.merge([i for i in institutions if i.pk != keep.pk], actor=request.user)
            self.message_user(
                request,
                _("Merged into %(name)s; %(count)d commission(s) moved.")
                % {"name": keep.name, "count": moved},
                messages.SUCCESS,
            )
            return None
        return render(
            request,
            "admin/commissions/institution/merge.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Merge institutions"),
                "institutions": institutions,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Email)
class EmailAdmin(ProgrammeScopedAdmin):
    programme_path = "commission__call__programme"
    list_display = ["created_at", "kind", "to", "status", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    readonly_fields = [
        "key",
        "kind",
        "to",
        "language",
        "commission",
        "subject",
        "body",
        "status",
        "created_at",
        "sent_at",
        "error",
    ]

    def has_add_permission(self, request):
        return False


for model in (Sector, InterventionContext, CommissionType):
    admin.site.register(
        model, list_display=["name", "order"], list_editable=["order"], search_fields=["name"]
    )


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ProgrammeScopedAdmin):
    # The programme is chosen among the coordinator's own (the form's choices are scoped).
    programme_path = "programme"
    list_display = ["kind", "language", "subject", "programme"]
    list_filter = ["kind", "language"]


@admin.register(SelectionRun)
class SelectionRunAdmin(ProgrammeScopedAdmin):
    programme_path = "call__programme"
    list_display = ["call", "number", "created_at", "created_by", "confirmed_at"]
    readonly_fields = [
        "call",
        "number",
        "created_by",
        "params",
        "result",
        "fingerprint",
        "seconds",
        "confirmed_at",
        "confirmed_by",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(PastConsultancy)
class PastConsultancyAdmin(ProgrammeScopedAdmin):
    programme_path = "programme"
    list_display = ["sector", "summary", "academic_year", "order", "hidden"]
    list_filter = [*only_related("programme"), "sector", "hidden"]
    raw_id_fields = ["commission"]
