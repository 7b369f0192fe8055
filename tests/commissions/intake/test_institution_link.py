import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from factories import make_commission, run_queued, valid_submission

from commissions.intake import services
from commissions.models import AccessToken, Commission, CommissionEvent

pytestmark = pytest.mark.django_db


def portal(token):
    return reverse("commissions:portal", args=[token])


def test_a_token_opens_its_commission_and_no_other(client, call, vocab):
    first = make_commission(call, vocab, title="Première")
    second = make_commission(call, vocab, title="Seconde")
    token = AccessToken.issue(first)
    page = client.get(portal(token)).content.decode()
    assert "Première" in page and "Seconde" not in page
    assert AccessToken.objects.get().token_hash != token
    other_token = AccessToken.issue(second)
    assert "Seconde" in client.get(portal(other_token)).content.decode()


@pytest.mark.parametrize("bad", ["nope", "x" * 43, "x" * 500, "%00", "../admin"])
def test_unknown_or_malformed_tokens_get_404(client, call, vocab, bad):
    make_commission(call, vocab)
    assert client.get(f"/commande/{bad}/").status_code == 404


def test_a_revoked_token_opens_nothing(client, call, vocab):
    commission = make_commission(call, vocab)
    token = AccessToken.issue(commission)
    services.revoke_links(commission)
    for url in (
        portal(token),
        reverse("commissions:edit", args=[token]),
        reverse("commissions:withdraw", args=[token]),
    ):
        assert client.get(url).status_code == 404
    assert commission.events.filter(kind=CommissionEvent.Kind.LINK).exists()


def test_edit_until_the_deadline(client, call, vocab):
    commission = make_commission(call, vocab)
    token = AccessToken.issue(commission)
    url = reverse("commissions:edit", args=[token])
    response = client.get(url)
    assert response.status_code == 200
    data = {
        "contact_name": "Anne",
        "contact_role": "Directrice",
        "contact_email": "a@b.example",
        "contact_phone": "0",
        "title": "Nouveau titre",
        "question": "Q ?",
        "context": "C",
        "commission_type": vocab["types"][1].pk,
        "intervention_context": vocab["contexts"][0].pk,
        "expected_outcome": "E",
        "resources": "",
        "languages": ["fr", "nl"],
        "preferred_presentation": call.key_dates.filter(kind="oral").last().pk,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    commission.refresh_from_db()
    assert commission.title == "Nouveau titre"
    assert commission.languages == ["fr", "nl"]
    event = commission.events.get(kind=CommissionEvent.Kind.EDITED)
    assert "title" in event.changes["fields"]


def test_edit_errors_keep_the_input(client, call, vocab):
    commission = make_commission(call, vocab)
    token = AccessToken.issue(commission)
    response = client.post(
        reverse("commissions:edit", args=[token]), {"title": "Gardé", "contact_email": "bad"}
    )
    assert response.status_code == 200
    assert 'value="Gardé"' in response.content.decode()
    commission.refresh_from_db()
    assert commission.title == "Question"


def test_after_the_deadline_the_link_is_read_only(client, call, vocab):
    commission = make_commission(call, vocab)
    token = AccessToken.issue(commission)
    call.deadline = timezone.now() - timedelta(minutes=1)
    call.save()
    page = client.get(portal(token)).content.decode()
    assert reverse("commissions:edit", args=[token]) not in page
    response = client.post(reverse("commissions:edit", args=[token]), {"title": "Trop tard"})
    assert response.status_code == 302
    commission.refresh_from_db()
    assert commission.title == "Question"


def test_withdraw_records_the_change(client, call, vocab):
    commission = make_commission(call, vocab)
    token = AccessToken.issue(commission)
    url = reverse("commissions:withdraw", args=[token])
    assert client.post(url, {}).status_code == 200  # confirmation box required
    commission.refresh_from_db()
    assert commission.status == Commission.Status.SUBMITTED
    assert client.post(url, {"confirm": "on"}).status_code == 302
    commission.refresh_from_db()
    assert commission.status == Commission.Status.WITHDRAWN
    event = commission.events.get(kind=CommissionEvent.Kind.STATUS)
    assert (event.from_status, event.to_status) == ("submitted", "withdrawn")


def test_no_withdrawal_once_selection_has_started(client, call, vocab):
    commission = make_commission(call, vocab)
    token = AccessToken.issue(commission)
    call.status = "selecting"
    call.save()
    client.post(reverse("commissions:withdraw", args=[token]), {"confirm": "on"})
    commission.refresh_from_db()
    assert commission.status == Commission.Status.SUBMITTED


def test_send_my_link_again_answers_the_same_for_unknown_addresses(
    client, call, vocab, broker, django_capture_on_commit_callbacks
):
    make_commission(call, vocab, email="known@inst.example")
    url = reverse("commissions:request_link")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": "KNOWN@inst.example"})
        unknown = client.post(url, {"email": "stranger@inst.example"})
    assert known.status_code == unknown.status_code == 200

    def normalised(response, address):
        page = response.content.decode().replace(address, "X")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)

    assert normalised(known, "KNOWN@inst.example") == normalised(unknown, "stranger@inst.example")
    # The queue looks the address up, then delivers the e-mail it queued.
    with django_capture_on_commit_callbacks(execute=True):
        run_queued(broker)
    run_queued(broker)
    assert [m.to for m in mail.outbox] == [["known@inst.example"]]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/commande/" in line)
    assert client.get("/commande/" + link.split("/commande/")[1]).status_code == 200


def test_send_my_link_again_is_rate_limited(
    client, call, vocab, broker, settings, django_capture_on_commit_callbacks
):
    settings.RATE_LIMIT_LINK_REQUESTS = 1
    make_commission(call, vocab, email="known@inst.example")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            client.post(reverse("commissions:request_link"), {"email": "known@inst.example"})
        run_queued(broker)
    run_queued(broker)
    assert len(mail.outbox) == 1


def test_invalid_email_in_link_request(client, db):
    response = client.post(reverse("commissions:request_link"), {"email": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]


def test_full_path_submit_then_edit_through_link(
    client, call, vocab, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("commissions:submit", args=[call.slug]), valid_submission(call, vocab))
    run_queued(broker)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/commande/" in line)
    token = link.strip().rstrip("/").rsplit("/", 1)[1]
    assert Commission.objects.get() == AccessToken.resolve(token)


def test_a_stale_tab_does_not_overwrite_a_newer_edit(client, call, vocab, broker):
    """Two tabs open the edit page; the second to save is told, and keeps its text."""
    from commissions.models import AccessToken, Commission

    client.post(call.get_submit_url(), valid_submission(call, vocab))
    commission = Commission.objects.get()
    url = reverse("commissions:edit", args=[AccessToken.issue(commission)])
    first = client.get(url).context["form"].initial
    data = {k: v for k, v in valid_submission(call, vocab).items() if k in first or k == "version"}
    data["version"] = client.get(url).context["form"]["version"].value()
    assert client.post(url, {**data, "title": "Première version"}).status_code == 302
    stale = client.post(url, {**data, "title": "Seconde version"})
    assert stale.status_code == 200
    assert "changed elsewhere" in stale.content.decode() or "modifiée ailleurs" in (
        stale.content.decode()
    )
    assert 'value="Seconde version"' in stale.content.decode()
    commission.refresh_from_db()
    assert commission.title == "Première version"
    # Saving again from that page is a deliberate overwrite.
    again = {**data, "title": "Seconde version"}
    again["version"] = stale.context["form"]["version"].value()
    assert client.post(url, again).status_code == 302
    commission.refresh_from_db()
    assert commission.title == "Seconde version"


def test_the_link_and_the_confirmation_say_what_happens_next_and_when(
    client, call, vocab, broker, django_capture_on_commit_callbacks
):
    from django.utils import translation

    commission = make_commission(call, vocab)
    token = AccessToken.issue(commission)
    response = client.get(portal(token))
    steps = response.context["what_next"]
    with translation.override("en"):
        labels = [str(s["label"]) for s in steps]
    assert steps[0]["yours"] and steps[0]["when"] == call.deadline  # its own first
    assert [s["when"] for s in steps] == sorted(s["when"] for s in steps)
    assert len(steps) == 4 and any("Présentation aux étudiant·es" in lab for lab in labels)
    assert 'id="what-next"' in response.content.decode()
    # After the submission, the confirmation page says the same.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("commissions:submit", args=[call.slug]), valid_submission(call, vocab))
    page = client.get(reverse("commissions:submitted", args=[call.slug]))
    assert 'id="what-next"' in page.content.decode() and page.context["what_next"]
    # A declined commission is told nothing more is coming.
    commission.status = Commission.Status.DECLINED
    commission.save()
    assert client.get(portal(token)).context["what_next"] == []


def test_the_institution_corrects_its_details_until_the_selection(client, call, vocab):
    commission = make_commission(call, vocab)
    token = AccessToken.issue(commission)
    url = reverse("commissions:institution_details", args=[token])
    assert url in client.get(portal(token)).content.decode()
    form = client.get(url).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data["sector"] = vocab["sectors"][2].pk
    # Bad input: a message next to the field, nothing saved.
    response = client.post(url, {**data, "website": "pas un site", "name": ""})
    assert response.status_code == 200 and 'id="error-summary"' in response.content.decode()
    data |= {"name": "Lire et Écrire Namur asbl", "address": "Rue Nouvelle 3"}
    assert client.post(url, data).status_code == 302
    institution = commission.institution
    institution.refresh_from_db()
    assert (
        institution.name == "Lire et Écrire Namur asbl"
        and institution.sector == vocab["sectors"][2]
    )
    event = commission.events.filter(kind=CommissionEvent.Kind.EDITED).last()
    assert event.actor_label == services.INSTITUTION_LINK
    assert event.changes["institution"]["name"][1] == "Lire et Écrire Namur asbl"
    assert set(event.changes["institution"]) == {"name", "address", "sector"}
    # Once selected, no more: back to the page with a message.
    commission.status = Commission.Status.SELECTED
    commission.save()
    assert client.get(url).status_code == 302
    assert client.post(url, {**data, "name": "Autre"}).status_code == 302
    institution.refresh_from_db()
    assert institution.name == "Lire et Écrire Namur asbl"
    assert url not in client.get(portal(token)).content.decode()
