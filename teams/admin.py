from django.contrib import admin

from commissions.admin import ProgrammeScopedAdmin

from .models import AllocationRun, RosterImport, Student, Supervisor, Team, TeamEvent


@admin.register(Student)
class StudentAdmin(ProgrammeScopedAdmin):
    programme_path = "call__programme"
    list_display = ["__str__", "call", "prior_studies", "team", "ranked_at", "invited_at"]
    list_filter = ["call"]
    search_fields = ["user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user", "call__programme", "team__commission"]
    raw_id_fields = ["user", "team"]
    filter_horizontal = ["wishes"]


@admin.register(Supervisor)
class SupervisorAdmin(ProgrammeScopedAdmin):
    programme_path = "call__programme"
    list_display = ["__str__", "call", "capacity", "invited_at"]
    list_filter = ["call"]
    search_fields = ["user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user", "call__programme"]
    raw_id_fields = ["user"]
    filter_horizontal = ["sectors"]


@admin.register(Team)
class TeamAdmin(ProgrammeScopedAdmin):
    programme_path = "call__programme"
    list_display = ["__str__", "call", "supervisor", "locked", "published_at"]
    list_filter = ["call", "locked"]
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
    list_filter = ["call"]


@admin.register(RosterImport)
class RosterImportAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "call", "created_by", "created_at", "applied_at"]
    list_filter = ["call", "kind"]
    exclude = ["rows"]


@admin.register(TeamEvent)
class TeamEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "team", "actor", "message"]
    list_filter = ["call", "kind"]
    list_select_related = ["team__commission", "actor"]
