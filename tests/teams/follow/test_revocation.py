"""What opens a commission or a person's data without a password dies together: calendar
addresses go with the private links and with deactivated accounts, the institution downloads
only the versions its page shows, and the public "did you mean…?" shows no address."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from factories import PDF, valid_submission

from commissions.intake import services
from commissions.models import AccessToken, Institution
from teams.follow import calendar
from teams.follow.following import add_deliverable

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_revoking_the_private_links_revokes_the_calendar_too(client, teams):
    commission = teams[0].commission
    AccessToken.issue(commission)
    url = calendar.feed_url(calendar.feed_for(commission=commission))
    assert client.get(url).status_code == 200
    services.revoke_links(commission)
    assert client.get(url).status_code == 404
    assert commission.calendar_feeds.filter(revoked_at__isnull=True).count() == 0


def test_the_admin_action_revokes_the_calendar(client, teams, coordinator):
    commission = teams[0].commission
    url = calendar.feed_url(calendar.feed_for(commission=commission))
    client.force_login(coordinator)
    client.post(
        reverse("admin:commissions_commission_changelist"),
        {"action": "revoke_links", "_selected_action": [commission.pk]},
    )
    assert client.get(url).status_code == 404


def test_a_deactivated_account_has_no_calendar(client, teams):
    user = teams[0].members.all()[0].user
    url = calendar.feed_url(calendar.feed_for(user=user))
    assert client.get(url).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(url).status_code == 404
    assert not user.calendar_feeds.filter(revoked_at__isnull=True).exists()
    user.is_active = True
    user.save()
    assert client.get(url).status_code == 404  # back, with a new address only
    assert client.get(calendar.feed_url(calendar.feed_for(user=user))).status_code == 200


def test_an_inactive_account_set_in_bulk_has_no_calendar(client, teams, django_user_model):
    user = teams[0].members.all()[0].user
    url = calendar.feed_url(calendar.feed_for(user=user))
    django_user_model.objects.filter(pk=user.pk).update(is_active=False)  # no signal
    assert client.get(url).status_code == 404


def test_the_institution_downloads_only_the_versions_its_page_shows(client, teams):
    team = teams[0]
    report = team.milestones.get(key_date__kind="report")
    student = team.members.all()[0].user
    first = add_deliverable(report, SimpleUploadedFile("v1.pdf", PDF), student)
    second = add_deliverable(report, SimpleUploadedFile("v2.pdf", PDF + b"%v2"), student)
    token = AccessToken.issue(team.commission)
    page = client.get(reverse("commissions:portal", args=[token])).content.decode()
    shown = reverse("teams:institution_download", args=[token, second.pk])
    assert shown in page
    assert client.get(shown).status_code == 200
    earlier = reverse("teams:institution_download", args=[token, first.pk])
    assert earlier not in page
    assert client.get(earlier).status_code == 404


def test_did_you_mean_shows_name_and_city_only(client, call, vocab):
    Institution.objects.create(
        name="CPAS de Namur",
        legal_form="cpas",
        sector=vocab["sectors"][0],
        address="Rue Secrète 42",
        postal_code="5000",
        city="Namur",
    )
    data = valid_submission(call, vocab, institution_name="C.P.A.S. Namur", city="Namur")
    response = client.post(reverse("commissions:submit", args=[call.slug]), data)
    page = response.content.decode()
    assert "Did you mean CPAS de Namur?" in page
    assert "CPAS de Namur — Namur" in page
    assert "Rue Secrète" not in page
