from django.contrib import admin, messages
from django.db.models import Count
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


class ProgrammeScopedAdmin(admin.ModelAdmin):
    """Coordinators see the objects of the programmes they coordinate; superusers all."""

    programme_path = None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser or self.programme_path is None:
            return qs
        return qs.filter(**{f"{self.programme_path}__coordinators": request.user}).distinct()


@admin.register(Programme)
class ProgrammeAdmin(ProgrammeScopedAdmin):
    programme_path = ""
    list_display = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}
    filter_horizontal = ["coordinators"]

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        return qs if request.user.is_superuser else qs.filter(coordinators=request.user)


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
    list_filter = ["status", "programme"]
    prepopulated_fields = {"slug": ["academic_year"]}
    inlines = [KeyDateInline, CriterionInline]
    fieldsets = [
        (None, {"fields": ["programme", "academic_year", "slug", "title", "status"]}),
        (_("Submissions"), {"fields": ["opens_at", "deadline", "contact_name", "contact_email"]}),
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
    list_filter = ["call", "status", "sector", "commission_type", "intervention_context"]
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
    list_display = ["name", "legal_form", "sector", "city", "commission_count"]
    list_filter = ["legal_form", "sector"]
    search_fields = ["name", "city"]
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
class PastConsultancyAdmin(admin.ModelAdmin):
    list_display = ["sector", "summary", "academic_year", "order"]
    list_filter = ["programme", "sector"]
