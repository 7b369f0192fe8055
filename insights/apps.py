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
        self.watch_figures()

    def watch_figures(self):
        """What the analytics count: a change of any of it renews their cached figures."""
        from django.contrib.auth import get_user_model

        from commissions import models as commissions
        from insights.analytics.reading import FIGURES
        from insights.models import SurveyAnswer
        from teams import models as teams

        FIGURES.watch(
            commissions.Call,
            commissions.Commission,
            commissions.Review,
            commissions.Sector,
            commissions.CommissionType,
            commissions.InterventionContext,
            teams.Team,
            teams.Student,
            teams.Preference,
            teams.Feedback,
            SurveyAnswer,
            get_user_model(),  # the reviewers' names
            uid="insights-figures",
        )
