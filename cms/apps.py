from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Site pages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cms.models import CallPage
        from cms.permissions import call_page_saved, grant_every_call_page

        post_save.connect(call_page_saved, sender=CallPage, dispatch_uid="cms-call-page-rights")
        post_migrate.connect(grant_every_call_page, dispatch_uid="cms-call-page-rights")
