from wagtail import views as wagtail_views

from mias import pagecache


def serve(request, path):
    """Wagtail's page view, answered from the cache for anonymous visitors before any routing
    (the pages that allow it: cms.models.PublicPage)."""
    return pagecache.serve(request, lambda: wagtail_views.serve(request, path))
