"""The site's URLs plus a minimal view, the baseline bench_pages compares pages against.

Only used by the bench server (DJANGO_SETTINGS_MODULE=devtools.bench_settings), and the extra view
exists only when MIAS_BENCH=1.
"""

import os

from django.http import HttpResponse
from django.urls import path

from mias import urls as site_urls


def minimal(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = list(site_urls.urlpatterns)
if os.environ.get("MIAS_BENCH") == "1":
    urlpatterns.insert(0, path("__bench__/minimal/", minimal, name="bench_minimal"))
