from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from commissions.admin import USER_TIES, PlainTextModelForm, ProgrammeScopedAdmin, only_related
from teams.follow.following import due_of
from teams.models import (
    AllocationRun,
    Deliverable,
    Feedback,
    Milestone,
    Reminder,
    RosterImport,
    Student,
    Supervisor,
    Team,
    TeamEvent,
)

# An account belongs to the programmes of the calls it studies or supervises in.
USER_TIES += ["students__call__programme", "supervisors__call__programme"]


class StudentAdminForm(PlainTextModelForm):
    def clean(self):
        cleaned = super().clean()
        call = cleaned.get("call")
        wishes = cleaned.get("wishes")
        if call is not None and wishes is not None and any(w.call_id != call.pk for w in wishes):
            self.add_error(
                "wishes", _("Students can only wish to work with students of their call.")
            )
        return cleaned


@admin.register(Student)
class StudentAdmin(ProgrammeScopedAdmin):
    form = StudentAdminForm
    programme_path = "call__programme"
    list_display = ["__str__", "call", "prior_studies", "team", "ranked_at", "invited_at"]
    list_filter = only_related("call")
    search_fields = ["user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user", "call__programme", "team__commission"]
    raw_id_fields = ["user", "team"]
    filter_horizontal = ["wishes"]


@admin.register(Supervisor)
class SupervisorAdmin(ProgrammeScopedAdmin):
    programme_path = "call__programme"
    list_display = ["__str__", "call", "capacity", "invited_at"]
    list_filter = only_related("call")
    search_fields = ["user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user", "call__programme"]
    raw_id_fields = ["user"]
    filter_horizontal = ["sectors"]


@admin.register(Team)
class TeamAdmin(ProgrammeScopedAdmin):
    programme_path = "call__programme"
    list_display = ["__str__", "call", "supervisor", "locked", "published_at"]
    list_filter = [*only_related("call"), "locked"]
    list_select_related = ["commission", "call__programme", "supervisor__user"]
    raw_id_fields = ["commission", "supervisor"]


class ReadOnlyAdmin(ProgrammeScopedAdmin):
    programme_path = "call__programme"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AllocationRun)
class AllocationRunAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "mode", "created_by", "created_at", "applied_at"]
    list_filter = only_related("call")


@admin.register(RosterImport)
class RosterImportAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "call", "created_by", "created_at", "applied_at"]
    list_filter = [*only_related("call"), "kind"]
    exclude = ["rows"]


@admin.register(TeamEvent)
class TeamEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "team", "actor", "message"]
    list_filter = [*only_related("call"), "kind"]
    list_select_related = ["team__commission", "actor"]


@admin.register(Milestone)
class MilestoneAdmin(ProgrammeScopedAdmin):
    programme_path = "team__call__programme"
    list_display = ["__str__", "due_at", "overridden", "deliverable", "done_at"]
    list_filter = [*only_related("team__call"), "key_date__kind", "overridden"]
    list_select_related = ["team__commission", "key_date"]
    raw_id_fields = ["team", "key_date", "done_by"]
    readonly_fields = ["due_at"]

    def save_model(self, request, obj, form, change):
        # Dates typed here move this team only: keep the due moment and the flag in step.
        if {"starts_at", "ends_at", "all_day"} & set(form.changed_data):
            obj.overridden = True
            obj.due_at = due_of(obj)
        super().save_model(request, obj, form, change)


@admin.register(Deliverable)
class DeliverableAdmin(ProgrammeScopedAdmin):
    programme_path = "milestone__team__call__programme"
    list_display = [
        "filename",
        "milestone",
        "version",
        "kind",
        "size",
        "uploaded_by",
        "uploaded_at",
    ]
    list_select_related = ["milestone__team__commission", "milestone__key_date", "uploaded_by"]
    exclude = ["file"]  # served only by the views that check who asks

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Feedback)
class FeedbackAdmin(ProgrammeScopedAdmin):
    programme_path = "team__call__programme"
    list_display = ["team", "usefulness", "submitted_at", "updated_at"]
    list_select_related = ["team__commission"]
    raw_id_fields = ["team", "milestone"]


@admin.register(Reminder)
class ReminderAdmin(ProgrammeScopedAdmin):
    programme_path = "milestone__team__call__programme"
    list_display = ["created_at", "milestone", "recipient", "step", "email"]
    list_filter = ["step"]
    list_select_related = ["milestone__team__commission", "milestone__key_date", "email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
