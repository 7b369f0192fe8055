from django.urls import path

from teams.follow import portal as institution
from teams.follow import views as follow
from teams.forming import views as allocation
from teams.people.views import people, roster, space

app_name = "teams"

urlpatterns = [
    path("mon-espace/", space.my_space, name="my_space"),
    path("etudiant/<slug:slug>/choix/", space.ranking, name="ranking"),
    path("equipes/<id:pk>/", follow.team, name="team"),
    path(
        "equipes/<id:pk>/jalons/<id:milestone>/", follow.milestone_update, name="milestone_update"
    ),
    path(
        "equipes/<id:pk>/jalons/<id:milestone>/deplacer/",
        follow.milestone_move,
        name="milestone_move",
    ),
    path("equipes/<id:pk>/jalons/<id:milestone>/depot/", follow.upload, name="upload"),
    path("equipes/<id:pk>/documents/<id:deliverable>/", follow.download, name="download"),
    path("equipes/<id:pk>/documents/<id:deliverable>/envoyer/", follow.send, name="send"),
    path("encadrement/", follow.supervisor_home, name="supervisor_home"),
    path("calendrier/<str:token>.ics", follow.feed, name="calendar"),
    path("mon-espace/calendrier/nouvelle-adresse/", follow.feed_renew, name="calendar_renew"),
    path(
        "commande/<str:token>/documents/<id:deliverable>/",
        institution.download,
        name="institution_download",
    ),
    path("commande/<str:token>/avis/", institution.feedback, name="institution_feedback"),
    path(
        "commande/<str:token>/calendrier/nouvelle-adresse/",
        institution.feed_renew,
        name="institution_calendar_renew",
    ),
    path("coordination/<slug:slug>/suivi/", follow.follow_board, name="follow"),
    path("coordination/<slug:slug>/suivi/export.xlsx", follow.follow_export, name="follow_export"),
    path("coordination/<slug:slug>/suivi/fait/", follow.follow_done, name="follow_done"),
    path("coordination/<slug:slug>/suivi/rappels/", follow.reminders, name="reminders"),
    path("coordination/<slug:slug>/personnes/", people.people, name="people"),
    path("coordination/<slug:slug>/personnes/inviter/", people.invite, name="invite"),
    path("coordination/<slug:slug>/personnes/rappel/", people.remind, name="remind"),
    path("coordination/<slug:slug>/import/<str:kind>/", roster.upload, name="roster_upload"),
    path(
        "coordination/<slug:slug>/import/<str:kind>/modele.xlsx",
        roster.template,
        name="roster_template",
    ),
    path("coordination/<slug:slug>/import/fichier/<id:pk>/", roster.review, name="roster_review"),
    path("coordination/<slug:slug>/equipes/", allocation.board, name="board"),
    path("coordination/<slug:slug>/equipes/repartir/", allocation.run, name="run"),
    path(
        "coordination/<slug:slug>/equipes/proposition/<id:number>/",
        allocation.proposal,
        name="proposal",
    ),
    path(
        "coordination/<slug:slug>/equipes/comparer/",
        allocation.compare_proposals,
        name="compare_proposals",
    ),
    path(
        "coordination/<slug:slug>/equipes/proposition/<id:number>/appliquer/",
        allocation.apply,
        name="apply",
    ),
    path("coordination/<slug:slug>/equipes/deplacer/", allocation.move, name="move"),
    path(
        "coordination/<slug:slug>/equipes/<id:pk>/encadrant/",
        allocation.set_supervisor,
        name="set_supervisor",
    ),
    path("coordination/<slug:slug>/equipes/<id:pk>/verrou/", allocation.lock, name="lock"),
    path("coordination/<slug:slug>/equipes/publier/", allocation.publish, name="publish"),
    path("coordination/<slug:slug>/equipes/export.xlsx", allocation.export, name="export"),
]
