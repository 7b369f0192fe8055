from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Teams")
    default_auto_field = "django.db.models.BigAutoField"
    # What the Coordinators group may do with this app's models (commissions.roles reads it).
    coordinator_permissions = {
        "manage": ["student", "supervisor", "team", "preference"],
        "change": ["milestone"],  # created from the key dates, moved or marked done by hand
        "view": [
            "allocationrun",
            "rosterimport",
            "teamevent",
            "deliverable",
            "feedback",
            "reminder",
            "calendarfeed",
        ],
    }

    def ready(self):
        # Imported here: receivers need the models, which are ready only now.
        from commissions import signals as commissions_signals
        from teams import mail, privacy, signals  # noqa: F401  (e-mails; key dates → milestones)
        from teams.follow import calendar, portal

        commissions_signals.portal_section.connect(portal.team_section, dispatch_uid="teams")
        commissions_signals.contact_export.connect(privacy.export_contact, dispatch_uid="teams")
        commissions_signals.contact_erase.connect(privacy.erase_contact, dispatch_uid="teams")
        commissions_signals.links_revoked.connect(calendar.links_revoked, dispatch_uid="teams")
        post_save.connect(
            calendar.account_saved,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="teams-calendar-accounts",
        )
