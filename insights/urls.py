from django.urls import path

from insights.analytics import views as analytics
from insights.archive import views as archive
from insights.library import views as library
from insights.nextcall import views as nextcall
from insights.organisations import views as organisations
from insights.surveys import views as surveys

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
    path("programmes/<slug:programme>/bibliotheque/", library.library, name="library"),
    path(
        "programmes/<slug:programme>/bibliotheque/<id:pk>/masquer/",
        library.toggle,
        name="library_toggle",
    ),
    path("enquete/<slug:slug>/", surveys.survey, name="survey"),
    path("coordination/<slug:slug>/enquete/", surveys.results, name="survey_results"),
    path("coordination/<slug:slug>/enquete/envoyer/", surveys.send, name="survey_send"),
    path("coordination/<slug:slug>/enquete/rappel/", surveys.remind, name="survey_remind"),
    path("commande/<str:token>/presentation/", surveys.oral_feedback, name="oral_feedback"),
    path("coordination/<slug:slug>/annee-suivante/", nextcall.prepare, name="prepare"),
    path("coordination/<slug:slug>/brouillon/", nextcall.prepared, name="prepared"),
]
