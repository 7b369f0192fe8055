from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate
from django.utils.translation import gettext_lazy as _


class CommissionsConfig(AppConfig):
    name = "commissions"
    verbose_name = _("Commissions")
    default_auto_field = "django.db.models.BigAutoField"
    # What the Coordinators group may do with this app's models (roles.py reads every app's).
    coordinator_permissions = {
        "manage": [
            "programme",
            "call",
            "keydate",
            "criterion",
            "sector",
            "interventioncontext",
            "commissiontype",
            "pastconsultancy",
            "institution",
            "commission",
            "reviewassignment",
            "note",
            "messagetemplate",
        ],
        "view": ["commissionevent", "accesstoken", "email", "review", "selectionrun"],
    }

    def ready(self):
        from django.urls import register_converter

        from mias.ids import IdConverter

        register_converter(IdConverter, "id")  # before any URLconf is read
        import commissions.accounts  # noqa: F401  (the sign-in signal: the account's language)
        from commissions.review import notify  # noqa: F401  (the reviewers' e-mails)

        # After Wagtail's migrations, so the permissions and the root page exist.
        post_migrate.connect(_after_migrate, dispatch_uid="commissions-roles")
        from commissions.models import Programme
        from commissions.roles import coordinators_changed

        self.watch_public_pages()
        from commissions.review import standing

        standing.watch()  # each commission's stored merit follows its scores

        m2m_changed.connect(
            coordinators_changed,
            sender=Programme.coordinators.through,
            dispatch_uid="commissions-programme-groups",
        )

    def watch_public_pages(self):
        """What the call page, the home page and the empty form show: a change of any of it
        forgets the pages served from the cache (mias.pagecache)."""
        from commissions import models
        from mias import pagecache

        pagecache.watch(
            models.Programme,
            models.Call,
            models.KeyDate,
            models.Criterion,
            models.PastConsultancy,
            models.Sector,
            models.InterventionContext,
            models.CommissionType,
            uid="commissions",
        )


def _after_migrate(sender, app_config=None, using="default", **kwargs):
    if app_config is not None and app_config.label != "wagtailcore":
        return
    from commissions.models import Programme
    from commissions.roles import ensure_coordinator_group, sync_programme_group

    ensure_coordinator_group()  # auth models: ready only now
    for programme in Programme.objects.all():
        sync_programme_group(programme)
