from django.urls import path

from insights.archive import views as archive

app_name = "insights"

urlpatterns = [
    path("programmes/<slug:programme>/archives/", archive.archive, name="archive"),
]
