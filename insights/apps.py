from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Across years: the archive of a programme's calls, next year's call, analytics."""

    name = "insights"
    verbose_name = _("Insights")
    default_auto_field = "django.db.models.BigAutoField"
    coordinator_permissions = {
        "view": ["surveyround", "surveyanswer", "oralfeedback"],
    }

    def ready(self):
        from commissions import signals as commissions_signals
        from insights import hooks
        from insights.library import library
        from insights.surveys import mail  # noqa: F401  (the surveys' e-mails)
        from teams import signals as teams_signals

        commissions_signals.workspace_links.connect(hooks.workspace_links, dispatch_uid="insights")
        commissions_signals.call_links.connect(hooks.call_links, dispatch_uid="insights")
        commissions_signals.portal_section.connect(hooks.portal_section, dispatch_uid="insights")
        commissions_signals.contact_erase.connect(library.erase_contact, dispatch_uid="insights")
        commissions_signals.contact_export.connect(library.export_contact, dispatch_uid="insights")
        teams_signals.dashboard_section.connect(hooks.dashboard_section, dispatch_uid="insights")
        commissions_signals.review_section.connect(hooks.review_section, dispatch_uid="insights")
