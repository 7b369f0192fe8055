"""The coordinators' wording of decision e-mails is text with a fixed set of placeholders:
never a template over live objects (a coordinator printed the superuser's password hash)."""

import pytest
from django.urls import reverse
from factories import make_commission

from commissions.models import MessageTemplate
from commissions.outbox import mail, placeholders

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PROBE = (
    "{% for u in commission.call.programme.coordinators.all %}{{ u.password }}{% endfor %}"
    "{{ commission.call.programme.coordinators.all.0.password }}"
)


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@x.example", "pw-root-123")


def _wording(call, body, subject="Décision", kind="decision_waitlisted"):
    return MessageTemplate.objects.create(
        programme=call.programme, kind=kind, language="fr", subject=subject, body=body
    )


def test_placeholders_are_replaced_by_plain_text(call, vocab):
    commission = make_commission(
        call, vocab, title="Titre {link} {% now 'Y' %}", waitlist_position=2
    )
    _wording(
        call,
        "Bonjour {contact_name}, « {title} » ({reference}, {institution}) est en position "
        "{position} pour {call} — {programme}. {link}",
        subject="{title}",
    )
    subject, body = mail.preview("decision_waitlisted", commission, "fr")
    assert subject == "Titre {link} {% now 'Y' %}"  # typed text is never read as a placeholder
    assert body.startswith(
        f"Bonjour Anne, « Titre {{link}} {{% now 'Y' %}} » ({commission.reference}, Institution) "
        f"est en position 2 pour {call.title} — {call.programme.name}. "
    )
    assert "/commande/" in body


def test_a_stored_template_tag_is_text_and_reaches_no_object(call, vocab, coordinator, superuser):
    commission = make_commission(call, vocab)
    call.programme.coordinators.add(superuser)
    _wording(call, PROBE)
    _subject, body = mail.preview("decision_waitlisted", commission, "fr")
    assert body == PROBE  # shown as typed: nothing was evaluated
    assert superuser.password not in body and coordinator.password not in body


def test_unknown_placeholders_are_a_form_error_in_the_admin(client, call, coordinator):
    client.force_login(coordinator)
    url = reverse("admin:commissions_messagetemplate_add")
    data = {
        "programme": call.programme.pk,
        "kind": "decision_selected",
        "language": "fr",
        "subject": "Pour {{ commission.title }}",
        "body": PROBE,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert not MessageTemplate.objects.exists()
    errors = response.context["adminform"].form.errors
    assert "Unknown placeholder: {{ commission.title }}" in errors["subject"][0]
    assert "{title}, {reference}" in errors["body"][0]
    data.update(subject="Pour {title}", body="Bonjour {contact_name} : {link}")
    assert client.post(url, data).status_code == 302
    assert MessageTemplate.objects.get().body == "Bonjour {contact_name} : {link}"


def test_stored_wordings_are_migrated_to_placeholders():
    legacy = (
        "Bonjour {{ commission.contact_name }}, « {{commission.title}} » de "
        "{{ institution.name }} ({{ call.title }}) : {{ link }} — position {{ position }}. "
        "{{ commission.call.programme.coordinators.all }}"
    )
    assert placeholders.from_legacy(legacy) == (
        "Bonjour {contact_name}, « {title} » de {institution} ({call}) : {link} — position "
        "{position}. {{ commission.call.programme.coordinators.all }}"
    )
    assert placeholders.unknown(placeholders.from_legacy(legacy)) == [
        "{{ commission.call.programme.coordinators.all }}"
    ]
    assert placeholders.unknown("{{title}} {title} { title } {% now %}") == [
        "{{title}}",
        "{% now %}",
    ]


def test_the_migration_converts_what_is_stored(call):
    from importlib import import_module

    from django.apps import apps

    _wording(call, "Bonjour {{ commission.contact_name }} : {{ link }}", subject="{{ call.title }}")
    migration = import_module("commissions.migrations.0005_hardening")
    migration.wording_to_placeholders(apps, None)
    stored = MessageTemplate.objects.get()
    assert (stored.subject, stored.body) == ("{call}", "Bonjour {contact_name} : {link}")
