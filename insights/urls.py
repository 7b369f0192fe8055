from django.urls import path

from insights.analytics import views as analytics
from insights.archive import views as archive
from insights.nextcall import views as nextcall
from insights.organisations import views as organisations

app_name = "insights"

urlpatterns = [
    path("programmes/<slug:programme>/archives/", archive.archive, name="archive"),
    path(
        "programmes/<slug:programme>/organisations/",
        organisations.organisation_list,
        name="organisations",
    ),
    path(
        "programmes/<slug:programme>/organisations/<id:pk>/",
        organisations.organisation,
        name="organisation",
    ),
    path("programmes/<slug:programme>/analyses/", analytics.analytics, name="analytics"),
    path(
        "programmes/<slug:programme>/analyses/<slug:chart>.xlsx",
        analytics.download,
        name="analytics_download",
    ),
    path("coordination/<slug:slug>/annee-suivante/", nextcall.prepare, name="prepare"),
    path("coordination/<slug:slug>/brouillon/", nextcall.prepared, name="prepared"),
]
