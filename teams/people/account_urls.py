"""Account URLs the teams app serves at the root, without a namespace (`password_reset`)."""

from django.urls import path

from teams.people.passwords import PasswordResetView

urlpatterns = [
    path("accounts/mot-de-passe/", PasswordResetView.as_view(), name="password_reset"),
]
