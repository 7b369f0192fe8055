from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Network")
    default_auto_field = "django.db.models.BigAutoField"
    # What the Coordinators group may do with this app's models (commissions.roles reads it).
    coordinator_permissions = {
        "manage": ["event", "participation"],
        "view": ["organisationvector", "invitation"],
    }

    def ready(self):
        # Imported here: receivers need the models, which are ready only now.
        from commissions import signals as commissions_signals
        from network import mail, signals  # noqa: F401  (the invitation e-mail; re-indexing)

        commissions_signals.institution_merged.connect(
            signals.institution_merged, dispatch_uid="network"
        )
        # Its tab in a call's workspace: commissions' template does not name apps above it.
        commissions_signals.call_links.connect(signals.call_links, dispatch_uid="network")
