from django.contrib import admin

from network.models import Event, Invitation, Participation


class ParticipationInline(admin.TabularInline):
    model = Participation
    autocomplete_fields = ["institution"]
    extra = 1


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "place", "organiser"]
    list_filter = ["year"]
    search_fields = ["name", "key", "place"]
    autocomplete_fields = ["organiser"]
    inlines = [ParticipationInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["institution", "call", "sent_at", "sent_by"]
    list_filter = ["call"]
    list_select_related = ["institution", "call__programme", "sent_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
