from django.urls import path

from insights.archive import views as archive
from insights.nextcall import views as nextcall

app_name = "insights"

urlpatterns = [
    path("programmes/<slug:programme>/archives/", archive.archive, name="archive"),
    path("coordination/<slug:slug>/annee-suivante/", nextcall.prepare, name="prepare"),
    path("coordination/<slug:slug>/brouillon/", nextcall.prepared, name="prepared"),
]
