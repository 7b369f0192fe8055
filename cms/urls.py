from wagtail import urls as wagtail_urls

from cms import views

# Wagtail's own URLs, its page view answered from the cache first (cms.views.serve).
urlpatterns = [
    type(p)(p.pattern, views.serve, p.default_args, p.name) if p.name == "wagtail_serve" else p
    for p in wagtail_urls.urlpatterns
]
