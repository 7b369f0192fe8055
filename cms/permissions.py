"""Programme walls in Wagtail: a call page is changed and published by its programme's
coordinators only (commissions.roles keeps one group per programme)."""

from commissions.models import Call
from commissions.roles import grant_programme_pages


def grant_call_page(page):
    """The call's programme's group gets the page (and its subpages); no other group."""
    programme = Call.objects.select_related("programme").get(pk=page.call_id).programme
    grant_programme_pages(programme, [page])


def call_page_saved(sender, instance, **kwargs):
    if instance.call_id and instance.pk and instance.depth:
        grant_call_page(instance)


def grant_every_call_page(sender=None, app_config=None, **kwargs):
    """After a migrate: pages made before the walls (or by hand) get their programme's rights."""
    if app_config is not None and app_config.label != "cms":
        return
    from cms.models import CallPage

    for page in CallPage.objects.all():
        grant_call_page(page)
