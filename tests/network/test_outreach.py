"""Outreach: under-represented sectors, organisations to invite, one invitation each."""

import pytest
from django.urls import reverse
from factories import make_commission

from commissions.models import Email, Institution
from network.models import Invitation
from network.outreach import planning

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_sector_gaps_rank_the_sectors_the_commissions_lacked():
    gaps = planning.sector_gaps(
        ["Logement", "Logement", "Logement"],
        {"a": ["Logement"], "b": ["Santé"], "c": ["Santé"], "d": ["Jeunesse"]},
    )
    assert [(g.name, g.commissions, g.expected) for g in gaps] == [
        ("Santé", 0, 1.5),
        ("Jeunesse", 0, 0.8),
    ]
    assert gaps[0].candidates == ["b", "c"]
    assert planning.rare_kinds(["Q", "Q", "P"], ["Q", "P", "E"]) == [("E", 0)]  # fair share: 1 each


@pytest.fixture
def registry(call, vocab, directory):
    make_commission(call, vocab)  # this year's only commission: CPAS
    Institution.objects.filter(key="fal").update(email="contact@fal.example")


def test_the_outreach_list_names_sectors_and_organisations_to_invite(
    client, coordinator, call, registry, django_assert_max_num_queries
):
    client.force_login(coordinator)
    url = reverse("network:outreach", args=[call.slug])
    with django_assert_max_num_queries(15):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "Logement" in html
    assert "Send the call to Fondation pour l&#x27;accès au logement" in html
    assert "no e-mail address in the registry" in html


def test_an_organisation_is_invited_once_through_the_outbox(
    client, coordinator, call, registry, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    fal = Institution.objects.get(key="fal")
    url = reverse("network:invite", args=[call.slug])
    with django_capture_on_commit_callbacks(execute=False):
        first = client.post(url, {"institution": fal.pk}, follow=True)
        again = client.post(url, {"institution": fal.pk}, follow=True)
    assert "The call was sent to" in first.content.decode()
    assert "already invited" in again.content.decode()
    email = Email.objects.get(kind="network_invitation")
    assert email.to == "contact@fal.example" and email.call == call
    invitation = Invitation.objects.get()
    assert invitation.sent_by == coordinator and invitation.email == email
    from commissions.outbox.mail import build_context, render_email

    subject, body = render_email(email, build_context(email)[0])
    assert call.get_submit_url() in body and "Fondation pour l'accès au logement" in body
    page = client.get(reverse("network:outreach", args=[call.slug])).content.decode()
    assert "sent on" in page


def test_an_organisation_without_address_or_a_bad_id_gets_a_message(
    client, coordinator, call, registry
):
    client.force_login(coordinator)
    url = reverse("network:invite", args=[call.slug])
    cnds = Institution.objects.get(key="cnds")
    page = client.post(url, {"institution": cnds.pk}, follow=True)
    assert "has no e-mail address" in page.content.decode()
    page = client.post(url, {"institution": "x"}, follow=True)
    assert "Choose an organisation" in page.content.decode()
    assert not Email.objects.filter(kind="network_invitation").exists()
