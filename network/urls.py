from django.urls import path

from network.directory import views as directory
from network.finder import views as finder
from network.outreach import views as outreach
from network.picture import views as picture

app_name = "network"

urlpatterns = [
    path("reseau/", picture.picture, name="picture"),
    path("reseau/partenaires/", finder.finder, name="finder"),
    path("reseau/similaires/", finder.similar, name="similar"),
    path("reseau/annuaire/importer/", directory.upload, name="directory_upload"),
    path("reseau/annuaire/modele.xlsx", directory.template, name="directory_template"),
    path("coordination/<slug:slug>/invitations/", outreach.outreach, name="outreach"),
    path("coordination/<slug:slug>/invitations/envoyer/", outreach.invite, name="invite"),
]
