"""Data protection: export what is stored about a contact, erase it, purge expired calls."""

import json
import logging

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from factories import make_call, make_commission, publish_cohort, run_queued, valid_submission

from commissions.models import AccessToken, Commission, CommissionEvent, Email, Note, Programme
from commissions.privacy import contacts as privacy
from commissions.roles import make_coordinator

pytestmark = pytest.mark.django_db

MARIE = {"email": "marie@lee.example", "name": "Marie Dupont", "phone": "+32 81 00 00 00"}
PAUL = {
    "institution_name": "Maison médicale du Nord",
    "city": "Liège",
    "postal_code": "4000",
    "address": "Rue Haute 12",
    "contact_name": "Paul Martin",
    "contact_email": "paul@mmn.example",
    "contact_phone": "+32 4 222 33 44",
    "title": "Accueil des patients sans papiers",
}


def submit(client, call, vocab, capture, broker, **overrides):
    """A submission through the real form, its e-mails sent; (commission, private token)."""
    before = len(mail.outbox)
    with capture(execute=True):
        response = client.post(
            reverse("commissions:submit", args=[call.slug]),
            valid_submission(call, vocab, **overrides),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    run_queued(broker)
    commission = Commission.objects.order_by("-pk").first()
    to_contact = [m for m in mail.outbox[before:] if m.to == [commission.contact_email]]
    link = next(line for line in to_contact[0].body.splitlines() if "/commande/" in line)
    return commission, link.strip().rstrip("/").rsplit("/", 1)[1]


def stored_text(*models_):
    """Every text and JSON value of these models, as one lower-case string per row."""
    rows = []
    for model in models_:
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        for values in model.objects.values_list(*fields):
            rows.append(json.dumps(values, ensure_ascii=False, default=str).lower())
    return rows


def traces(*needles):
    rows = stored_text(Commission, CommissionEvent, Email, AccessToken, Note)
    return [row for row in rows if any(n.lower() in row for n in needles)]


@pytest.fixture
def two_contacts(client, call, vocab, broker, django_capture_on_commit_callbacks):
    marie, token = submit(client, call, vocab, django_capture_on_commit_callbacks, broker)
    paul, _paul_token = submit(
        client, call, vocab, django_capture_on_commit_callbacks, broker, **PAUL
    )
    client.logout()
    return marie, token, paul


def test_the_export_holds_the_contacts_data_and_nobody_elses(two_contacts, coordinator):
    marie, _token, paul = two_contacts
    Note.objects.create(
        commission=marie, author=coordinator, text="Appelée le 3 mars, très motivée."
    )
    Note.objects.create(commission=paul, author=coordinator, text="Note sur l'autre commission.")
    data = privacy.contact_data("MARIE@lee.example")
    text = json.dumps(data, ensure_ascii=False)  # JSON-ready as it is
    assert [c["reference"] for c in data["commissions"]] == [marie.reference]
    exported = data["commissions"][0]
    assert exported["title"] == marie.title and exported["status"] == "submitted"
    assert exported["contact"] == {
        "name": MARIE["name"],
        "role": "Directrice",
        "email": MARIE["email"],
        "phone": MARIE["phone"],
    }
    assert exported["consent_text"] and exported["consent_at"].startswith(
        str(marie.consent_at.date())
    )
    assert exported["history"][0]["kind"] == "created"
    assert exported["notes"] == [
        {"at": exported["notes"][0]["at"], "text": Note.objects.filter(commission=marie).get().text}
    ]
    assert exported["private_links"] and set(exported["private_links"][0]) == {
        "created_at",
        "last_used_at",
        "revoked_at",
    }
    assert data["institutions"][0]["name"] == "Lire et Écrire Namur"
    assert [e["kind"] for e in data["emails"]] == ["confirmation"]
    assert data["emails"][0]["body"] and MARIE["name"] in data["emails"][0]["body"]
    for other in ("paul@mmn.example", "Paul Martin", "Maison médicale", "l'autre commission"):
        assert other not in text
    for token in AccessToken.objects.values_list("token_hash", flat=True):
        assert token not in text
    assert privacy.summary(data)["commissions"] == 1


def test_the_screen_looks_up_and_downloads_by_post(client, two_contacts, coordinator):
    marie, _token, _paul = two_contacts
    client.force_login(coordinator)
    assert client.get(reverse("commissions:privacy")).status_code == 200
    page = client.post(reverse("commissions:privacy"), {"email": MARIE["email"]})
    assert page.status_code == 200
    html = page.content.decode()
    assert marie.reference in html and "Paul Martin" not in html
    assert page["Cache-Control"].startswith("max-age=0")
    response = client.post(reverse("commissions:privacy_export"), {"email": MARIE["email"]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert "marie" not in response["Content-Disposition"]
    data = json.loads(response.content)
    assert [c["reference"] for c in data["commissions"]] == [marie.reference]
    # The address is never in a URL: the export refuses GET.
    assert client.get(reverse("commissions:privacy_export")).status_code == 405
    bad = client.post(reverse("commissions:privacy_export"), {"email": "not an address"})
    assert bad.status_code == 200 and bad.context["form"].errors["email"]


def test_erasure_leaves_no_trace_and_keeps_the_commission(
    client, call, vocab, broker, two_contacts, coordinator, django_capture_on_commit_callbacks
):
    marie, token, paul = two_contacts
    # More copies of the contact: an edit through the link, a new link, a note naming her.
    edit = valid_submission(call, vocab)
    edit["contact_phone"] = "+32 81 99 99 99"
    with django_capture_on_commit_callbacks(execute=True):
        edited = client.post(reverse("commissions:edit", args=[token]), edit)
        client.post(reverse("commissions:request_link"), {"email": "Marie@LEE.example"})
    assert edited.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        run_queued(broker)  # the link request, looked up by the queue, queues the e-mail
    run_queued(broker)
    assert Email.objects.filter(commission=marie, kind="link", status="sent").exists()
    Note.objects.create(commission=marie, author=coordinator, text="Marie Dupont rappelle lundi.")
    CommissionEvent.objects.create(
        commission=marie, kind="edited", actor_label=MARIE["email"], changes={"to": MARIE["email"]}
    )
    needles = [MARIE["email"], MARIE["name"], MARIE["phone"], "+32 81 99 99 99"]
    assert all(traces(needle) for needle in needles[:2] + needles[3:])  # the old phone: gone
    paul_before = traces("paul@mmn.example", "Paul Martin")

    client.force_login(coordinator)
    response = client.post(
        reverse("commissions:privacy_erase"),
        {"email": MARIE["email"], "confirm": "on", "email_again": " MARIE@lee.example "},
    )
    assert response.status_code == 302

    assert traces(*needles) == []
    marie.refresh_from_db()
    assert marie.title == "Absentéisme des apprenant·es" and marie.status == "submitted"
    assert marie.contact_name == "—" and marie.contact_email.endswith("@erased.invalid")
    assert marie.institution.name == "Lire et Écrire Namur"
    assert marie.consent_at and marie.consent_text
    erased = marie.events.filter(changes__reason="request").get()
    assert erased.actor == coordinator and erased.changes["reason"] == "request"
    assert client.get(reverse("commissions:portal", args=[token])).status_code == 404
    assert not AccessToken.objects.filter(commission=marie).exists()
    # The outbox keeps that a confirmation was sent, not to whom nor what it said.
    confirmation = Email.objects.get(commission=marie, kind="confirmation")
    assert confirmation.body == "" and confirmation.sent_at
    # The other contact is untouched.
    assert traces("paul@mmn.example", "Paul Martin") == paul_before
    assert privacy.contact_data(PAUL["contact_email"])["commissions"]
    assert privacy.contact_data(MARIE["email"])["commissions"] == []


def test_erasure_asks_for_an_explicit_confirmation(client, two_contacts, coordinator):
    marie, _token, _paul = two_contacts
    client.force_login(coordinator)
    url = reverse("commissions:privacy_erase")
    no_box = client.post(url, {"email": MARIE["email"], "email_again": MARIE["email"]})
    wrong = client.post(
        url, {"email": MARIE["email"], "confirm": "on", "email_again": "paul@mmn.example"}
    )
    for response, field in ((no_box, "confirm"), (wrong, "email_again")):
        assert response.status_code == 200
        assert response.context["erase_form"].errors[field]
    assert 'value="paul@mmn.example"' in wrong.content.decode()  # nothing typed is lost
    marie.refresh_from_db()
    assert marie.contact_email == MARIE["email"]


def test_another_programmes_coordinator_cannot_export_or_erase(
    client, two_contacts, django_user_model
):
    marie, _token, _paul = two_contacts
    other = django_user_model.objects.create_user("other", "o@x.example", "pw-other-123")
    make_coordinator(other, Programme.objects.create(name="Autre", short_name="A", slug="autre"))
    client.force_login(other)
    export = client.post(reverse("commissions:privacy_export"), {"email": MARIE["email"]})
    assert json.loads(export.content)["commissions"] == []
    assert json.loads(export.content)["emails"] == []
    client.post(
        reverse("commissions:privacy_erase"),
        {"email": MARIE["email"], "confirm": "on", "email_again": MARIE["email"]},
    )
    marie.refresh_from_db()
    assert marie.contact_email == MARIE["email"]
    assert privacy.contact_data(MARIE["email"], programme_ids={-1})["commissions"] == []


def test_only_coordinators_open_the_screen(client, db, django_user_model):
    url = reverse("commissions:privacy")
    assert client.get(url).status_code == 302
    user = django_user_model.objects.create_user("someone", "s@x.example", "pw-someone-123")
    client.force_login(user)
    assert client.get(url).status_code == 403
    assert (
        client.post(reverse("commissions:privacy_export"), {"email": "a@b.example"}).status_code
        == 403
    )
    assert (
        client.post(reverse("commissions:privacy_erase"), {"email": "a@b.example"}).status_code
        == 403
    )


def traced_commission(call, vocab, n, email=None):
    """Commission n with the traces of its contact: its creation, a link, a confirmation."""
    commission = make_commission(
        call,
        vocab,
        institution_name=f"Institution {n}",
        email=email or f"person{n}@inst{n}.example",
        contact_name=f"Personne Numéro{n}",
        contact_phone=f"+32 81 00 00 {n:02d}",
        title=f"Commission {n}",
    )
    commission.record(CommissionEvent.Kind.CREATED, actor_label=commission.contact_email)
    AccessToken.issue(commission)
    Email.objects.create(
        key=f"confirmation:{commission.pk}",
        kind="confirmation",
        to=commission.contact_email,
        commission=commission,
        subject="Merci",
        body=f"Bonjour {commission.contact_name}",
        status=Email.Status.SENT,
    )
    return commission


def test_purge_anonymises_expired_calls_only(call, vocab):
    old = make_call(call.programme, slug="ancien", opens_delta=-2500, deadline_delta=-2400)
    assert [c.slug for c in privacy.expired_calls()] == ["ancien"]
    expired = [traced_commission(old, vocab, n) for n in range(3)]
    live = traced_commission(call, vocab, 9)

    report = privacy.purge_expired()  # a dry run by default
    assert report["dry_run"] and report["commissions"] == 3
    assert traces("person0@inst0.example", "Personne Numéro2")

    report = privacy.purge_expired(dry_run=False)
    assert report["commissions"] == 3 and report["calls"][0]["call"] == "ancien"
    assert traces(*[f"person{n}@inst{n}.example" for n in range(3)]) == []
    assert traces(*[f"Personne Numéro{n}" for n in range(3)]) == []
    for commission in expired:
        commission.refresh_from_db()
        assert commission.title.startswith("Commission") and commission.contact_name == "—"
        assert commission.events.filter(changes__reason="retention").count() == 1
    live.refresh_from_db()
    assert live.contact_email == "person9@inst9.example"
    assert AccessToken.objects.filter(commission=live).exists()
    assert privacy.purge_expired(dry_run=False)["commissions"] == 0  # once only


def test_the_command_exports_and_its_dry_runs_change_nothing(call, vocab, tmp_path, capsys):
    old = make_call(call.programme, slug="ancien", opens_delta=-2500, deadline_delta=-2400)
    traced_commission(old, vocab, 1)
    mine = traced_commission(call, vocab, 2, email="me@inst.example")
    before = stored_text(Commission, CommissionEvent, Email, AccessToken)

    call_command("contact_data", "export", "ME@inst.example")
    data = json.loads(capsys.readouterr().out)
    assert [c["reference"] for c in data["commissions"]] == [mine.reference]
    out = tmp_path / "me.json"
    call_command("contact_data", "export", "me@inst.example", "--output", str(out))
    assert json.loads(out.read_text())["commissions"][0]["title"] == "Commission 2"
    call_command("contact_data", "erase", "me@inst.example")
    assert "--yes" in capsys.readouterr().out
    call_command("contact_data", "purge", "--dry-run")
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["commissions"] == 1
    assert stored_text(Commission, CommissionEvent, Email, AccessToken) == before

    call_command("contact_data", "erase", "me@inst.example", "--yes")
    assert json.loads(capsys.readouterr().out)["commissions"] == 1
    assert traces("me@inst.example") == []
    call_command("contact_data", "purge")
    assert json.loads(capsys.readouterr().out)["commissions"] == 1
    assert traces("person1@inst1.example") == []


def test_team_emails_lose_the_contact_and_students_export_their_data(
    call, vocab, coordinator, django_capture_on_commit_callbacks, broker
):
    with django_capture_on_commit_callbacks(execute=True):
        publish_cohort(call, vocab, coordinator)
    run_queued(broker)
    assert any(
        "contact0@inst.example" in e.body for e in Email.objects.exclude(to="contact0@inst.example")
    )

    student = privacy.contact_data("student0@uni.example")
    account = student["accounts"][0]
    assert account["email"] == "student0@uni.example"
    assert account["account_language"] == "fr"  # the account's language is exported too
    profile = account["students"][0]
    assert len(profile["ranking"]) == 3 and profile["team"]["commission"].startswith("S-")
    assert student["emails"] and student["commissions"] == []

    counts = privacy.erase_contact("contact0@inst.example", coordinator, {call.programme_id})
    assert counts["commissions"] == 1 and counts["emails_scrubbed"] >= 1
    assert traces("contact0@inst.example", "Contact 0") == []
    assert any("contact1@inst.example" in e.body for e in Email.objects.all())


def test_the_screen_has_a_bounded_number_of_queries(
    client, call, vocab, coordinator, django_assert_max_num_queries
):
    for n in range(6):
        commission = traced_commission(call, vocab, n, email="many@inst.example")
        Note.objects.create(commission=commission, author=coordinator, text=f"Note {n}")
    client.force_login(coordinator)
    client.get(reverse("commissions:privacy"))
    with django_assert_max_num_queries(25):
        page = client.post(reverse("commissions:privacy"), {"email": "many@inst.example"})
    assert page.content.decode().count("Commission ") >= 6
    with django_assert_max_num_queries(25):
        client.post(reverse("commissions:privacy_export"), {"email": "many@inst.example"})


def test_no_address_or_name_in_the_logs(
    client, call, vocab, broker, coordinator, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    _marie, token = submit(client, call, vocab, django_capture_on_commit_callbacks, broker)
    client.get(reverse("commissions:portal", args=[token]))
    client.force_login(coordinator)
    client.post(reverse("commissions:privacy"), {"email": MARIE["email"]})
    client.post(
        reverse("commissions:privacy_erase"),
        {"email": MARIE["email"], "confirm": "on", "email_again": MARIE["email"]},
    )
    logged = caplog.text.lower()
    assert MARIE["email"] not in logged and MARIE["name"].lower() not in logged


def test_the_scrubber_takes_whole_words_only():
    scrub = privacy.Scrubber(
        emails=["anne@x.example"], names=["Anne", "Li"], phones=["0", "081 22 33 44"]
    )
    text = "Anne (ANNE@x.example, 081 22 33 44) à Annecy avec Marianne, Li et 10 bénévoles."
    assert scrub.text(text) == (
        "[erased] ([erased], [erased]) à Annecy avec Marianne, Li et 10 bénévoles."
    )
    assert scrub.json({"to": ["anne@x.example"], "n": 3}) == {"to": ["[erased]"], "n": 3}


def test_a_failed_delivery_raises_and_logs_no_address(call, vocab, caplog):
    import smtplib
    import traceback
    from unittest import mock

    from commissions.outbox.delivery import DeliveryError, deliver_email

    commission = traced_commission(call, vocab, 1)
    email = Email.objects.create(
        key="x", kind="confirmation", to=commission.contact_email, commission=commission
    )
    refused = smtplib.SMTPRecipientsRefused({commission.contact_email: (550, b"unknown user")})
    caplog.set_level(logging.DEBUG)
    with mock.patch("commissions.outbox.delivery.send_mail", side_effect=refused):
        with pytest.raises(DeliveryError) as raised:
            deliver_email(email.pk)
    # What django-q logs and stores of a failed task: the exception and its traceback.
    text = f"{raised.value} : {''.join(traceback.format_exception(raised.value))}"
    assert str(email.pk) in text
    assert commission.contact_email not in text and commission.contact_email not in caplog.text
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED  # kept, for the outbox page, despite the raise
