from django.urls import path

from commissions.account import views as account
from commissions.intake import views
from commissions.outbox import views as outbox
from commissions.privacy import views as privacy
from commissions.review import views as review
from commissions.selection import views as selection

app_name = "commissions"

urlpatterns = [
    path("compte/", account.account, name="account"),
    path("appels/<slug:slug>/soumettre/", views.submit, name="submit"),
    path("appels/<slug:slug>/merci/", views.submitted, name="submitted"),
    path("commande/lien/", views.request_link, name="request_link"),
    path("commande/<str:token>/", views.portal, name="portal"),
    path("commande/<str:token>/modifier/", views.edit, name="edit"),
    path("commande/<str:token>/retirer/", views.withdraw, name="withdraw"),
    path(
        "commande/<str:token>/institution/",
        views.institution_details,
        name="institution_details",
    ),
    path("coordination/", review.workspace_home, name="workspace"),
    path("coordination/donnees/", privacy.privacy_home, name="privacy"),
    path("coordination/donnees/export/", privacy.privacy_export, name="privacy_export"),
    path("coordination/donnees/effacer/", privacy.privacy_erase, name="privacy_erase"),
    path("coordination/<slug:slug>/", review.review_table, name="review_table"),
    path(
        "coordination/<slug:slug>/commandes/<id:pk>/",
        review.review_commission,
        name="review_commission",
    ),
    path("coordination/<slug:slug>/commandes/<id:pk>/note/", review.add_note, name="add_note"),
    path("coordination/<slug:slug>/relecteurs/", review.assignments, name="assignments"),
    path("coordination/<slug:slug>/selection/", selection.selection_home, name="selection"),
    path(
        "coordination/<slug:slug>/selection/comparer/", selection.compare_runs, name="compare_runs"
    ),
    path(
        "coordination/<slug:slug>/selection/<id:number>/",
        selection.selection_run,
        name="selection_run",
    ),
    path(
        "coordination/<slug:slug>/selection/<id:number>/confirmer/",
        selection.confirm_run,
        name="confirm_run",
    ),
    path("coordination/<slug:slug>/envois/", outbox.outbox, name="outbox"),
    path(
        "coordination/<slug:slug>/envois/<id:pk>/renvoyer/",
        outbox.resend_email,
        name="resend_email",
    ),
    path("coordination/<slug:slug>/export.xlsx", selection.export_workbook, name="export"),
]
