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
        self.watch_public_pages()

    def watch_public_pages(self):
        """The cached public pages are forgotten when a page, the site or a deploy changes."""
        from wagtail.models import Locale, Page, PageViewRestriction, Site
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from cms.models import CallPage, HomePage, StandardPage
        from mias import pagecache

        pagecache.watch(
            Page, HomePage, CallPage, StandardPage, Site, Locale, PageViewRestriction, uid="cms"
        )
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(pagecache.bump, weak=False, dispatch_uid="cms-public-pages")
        post_migrate.connect(_deployed, sender=self, dispatch_uid="cms-public-pages")


def _deployed(sender, using="default", **kwargs):
    """A deploy migrates: pages rendered by the code before it are not served again."""
    from django.db import DatabaseError, transaction

    from mias import pagecache

    try:
        with transaction.atomic(using=using):
            pagecache.bump()
    except DatabaseError:
        pass  # no cache table yet (a database made without migrations): nothing stored either
