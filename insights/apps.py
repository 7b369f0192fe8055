from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """Across years: the archive of a programme's calls, next year's call, analytics."""

    name = "insights"
    verbose_name = _("Insights")
    default_auto_field = "django.db.models.BigAutoField"
    coordinator_permissions = {"manage": [], "change": [], "view": []}

    def ready(self):
        from commissions import signals as commissions_signals
        from insights import hooks

        commissions_signals.workspace_links.connect(hooks.workspace_links, dispatch_uid="insights")
        commissions_signals.call_links.connect(hooks.call_links, dispatch_uid="insights")
        commissions_signals.review_section.connect(hooks.review_section, dispatch_uid="insights")
