from django.urls import path

from . import views

app_name = "commissions"

urlpatterns = [
    path("appels/<slug:slug>/soumettre/", views.submit, name="submit"),
    path("appels/<slug:slug>/merci/", views.submitted, name="submitted"),
    path("commande/lien/", views.request_link, name="request_link"),
    path("commande/<str:token>/", views.portal, name="portal"),
    path("commande/<str:token>/modifier/", views.edit, name="edit"),
    path("commande/<str:token>/retirer/", views.withdraw, name="withdraw"),
]
