from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from factories import make_call, make_commission, queued_tasks, run_queued, valid_submission

from commissions.models import Commission, CommissionEvent, Email, Institution

pytestmark = pytest.mark.django_db


def submit(client, call, data, capture):
    with capture(execute=True):
        return client.post(reverse("commissions:submit", args=[call.slug]), data)


def test_valid_submission_creates_one_commission_and_queues_two_emails(
    client, call, vocab, broker, django_user_model, django_capture_on_commit_callbacks
):
    coordinator = django_user_model.objects.create_user("coord", "coord@mias.example", "x")
    call.programme.coordinators.add(coordinator)

    response = submit(
        client, call, valid_submission(call, vocab), django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("commissions:submitted", args=[call.slug])
    commission = Commission.objects.get()
    assert commission.title == "Absentéisme des apprenant·es"
    assert commission.institution.name == "Lire et Écrire Namur"
    assert commission.status == Commission.Status.SUBMITTED
    assert set(commission.accepted_commitments) == {"presentation", "clarification", "oral"}
    assert (
        commission.consent_at is not None
        and "conservées" in commission.consent_text
        or commission.consent_text
    )
    assert commission.events.filter(kind=CommissionEvent.Kind.CREATED).count() == 1
    tasks = queued_tasks(broker)
    assert [t[0] for t in tasks] == ["commissions.tasks.deliver_email"] * 2
    kinds = sorted(Email.objects.values_list("kind", "to"))
    assert kinds == [
        ("confirmation", "marie@lee.example"),
        ("coordinator_notice", "coord@mias.example"),
    ]


def test_confirmation_email_carries_a_working_private_link(
    client, call, vocab, broker, django_capture_on_commit_callbacks
):
    submit(client, call, valid_submission(call, vocab), django_capture_on_commit_callbacks)
    run_queued(broker)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["marie@lee.example"]
    assert "Absentéisme" in message.body
    link = next(line for line in message.body.splitlines() if "/commande/" in line).strip()
    path = link.split("testserver")[-1].replace("http://127.0.0.1:8000", "")
    response = client.get(path)
    assert response.status_code == 200
    assert "Absentéisme des apprenant·es" in response.content.decode()
    stored = Email.objects.get(kind="confirmation")
    assert stored.status == Email.Status.SENT
    # The outbox keeps no usable link: only the hash of the token is stored anywhere.
    assert path.rsplit("/", 2)[-2] not in stored.body


def test_delivery_task_is_idempotent(
    client, call, vocab, broker, django_capture_on_commit_callbacks
):
    from commissions.outbox.delivery import deliver_email

    submit(client, call, valid_submission(call, vocab), django_capture_on_commit_callbacks)
    email = Email.objects.get(kind="confirmation")
    assert deliver_email(email.pk) == "sent"
    assert deliver_email(email.pk) == "skipped"
    assert len(mail.outbox) == 1


REQUIRED = [
    "institution_name",
    "legal_form",
    "sector",
    "address",
    "city",
    "contact_name",
    "contact_role",
    "contact_email",
    "contact_phone",
    "title",
    "question",
    "context",
    "commission_type",
    "intervention_context",
    "expected_outcome",
    "languages",
    "preferred_presentation",
    "consent",
    "commitment_presentation",
    "commitment_clarification",
    "commitment_oral",
]


@pytest.mark.parametrize("field", REQUIRED)
def test_each_missing_field_has_its_message_and_keeps_the_other_values(client, call, vocab, field):
    data = valid_submission(call, vocab)
    data.pop(field)
    response = client.post(reverse("commissions:submit", args=[call.slug]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert Commission.objects.count() == 0
    page = response.content.decode()
    assert 'id="error-summary"' in page
    # Everything else typed is still there.
    if field != "title":
        assert 'value="Absentéisme des apprenant·es"' in page
    if field != "question":
        assert "Comment réduire l&#x27;absentéisme dans nos groupes ?" in page
    if field != "contact_email":
        assert 'value="marie@lee.example"' in page


def test_invalid_email_and_website_get_clear_messages(client, call, vocab):
    data = valid_submission(call, vocab, contact_email="marie@", website="not a site")
    response = client.post(reverse("commissions:submit", args=[call.slug]), data)
    errors = response.context["form"].errors
    assert set(errors) == {"contact_email", "website"}
    assert Commission.objects.count() == 0


def test_after_the_deadline_no_commission_is_created(client, programme, vocab):
    closed = make_call(programme, slug="closed", opens_delta=-60, deadline_delta=-1)
    response = client.post(
        reverse("commissions:submit", args=[closed.slug]), valid_submission(closed, vocab)
    )
    assert response.status_code == 403
    assert Commission.objects.count() == 0
    response = client.get(reverse("commissions:submit", args=[closed.slug]))
    assert "commissions/intake/closed.html" in [t.name for t in response.templates]
    assert "<form" not in response.content.decode().split('id="main"')[1]


def test_before_opening_the_form_is_not_offered(client, programme, vocab):
    later = make_call(programme, slug="later", opens_delta=5, deadline_delta=30)
    response = client.post(
        reverse("commissions:submit", args=[later.slug]), valid_submission(later, vocab)
    )
    assert response.status_code == 403
    assert Commission.objects.count() == 0


def test_honeypot_refuses_bots(client, call, vocab):
    data = valid_submission(call, vocab, nickname="buy now")
    response = client.post(reverse("commissions:submit", args=[call.slug]), data)
    assert response.status_code == 200
    assert Commission.objects.count() == 0


def test_rate_limit_per_address(
    client, call, vocab, settings, broker, django_capture_on_commit_callbacks
):
    settings.RATE_LIMIT_SUBMISSIONS = 2
    for name in ("Maison Arc-en-ciel", "Les Trois Portes"):
        data = valid_submission(call, vocab, institution_name=name)
        assert submit(client, call, data, django_capture_on_commit_callbacks).status_code == 302
    response = submit(
        client,
        call,
        valid_submission(call, vocab, institution_name="Autre"),
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 429
    assert Commission.objects.count() == 2
    assert 'value="Autre"' in response.content.decode()


def test_unknown_call_is_404(client, db):
    assert client.get("/appels/nope/soumettre/").status_code == 404


def test_duplicate_institution_suggestion_and_confirmation(
    client, call, vocab, broker, django_capture_on_commit_callbacks
):
    existing = Institution.objects.create(
        name="CPAS de Namur",
        legal_form="cpas",
        sector=vocab["sectors"][0],
        address="Rue de Dave 165",
        city="Namur",
    )
    data = valid_submission(call, vocab, institution_name="C.P.A.S. Namur", legal_form="cpas")
    response = client.post(reverse("commissions:submit", args=[call.slug]), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["institution_match"]
    assert [i.pk for i in form.matches] == [existing.pk]
    assert "CPAS de Namur" in response.content.decode()

    data["institution_match"] = str(existing.pk)
    assert submit(client, call, data, django_capture_on_commit_callbacks).status_code == 302
    assert Institution.objects.count() == 1
    assert Commission.objects.get().institution == existing


def test_duplicate_suggestion_can_be_declined(
    client, call, vocab, broker, django_capture_on_commit_callbacks
):
    Institution.objects.create(
        name="CPAS de Namur",
        legal_form="cpas",
        sector=vocab["sectors"][0],
        address="x",
        city="Namur",
    )
    data = valid_submission(call, vocab, institution_name="C.P.A.S. Namur", institution_match="new")
    assert submit(client, call, data, django_capture_on_commit_callbacks).status_code == 302
    assert Institution.objects.count() == 2


def test_forged_institution_choice_is_refused(client, call, vocab):
    other = Institution.objects.create(
        name="Croix-Rouge", legal_form="asbl", sector=vocab["sectors"][0], address="x", city="Liège"
    )
    data = valid_submission(call, vocab, institution_match=str(other.pk))
    response = client.post(reverse("commissions:submit", args=[call.slug]), data)
    assert response.status_code == 200
    assert Commission.objects.count() == 0


def test_form_page_query_count_is_bounded(client, call, vocab, django_assert_max_num_queries):
    for i in range(30):
        Institution.objects.create(
            name=f"Institution {i}",
            legal_form="asbl",
            sector=vocab["sectors"][0],
            address="x",
            city="Namur",
        )
    # + 6 for the cache (one read, one write in a savepoint); once stored, one (test_form_cache).
    with django_assert_max_num_queries(18):
        response = client.get(reverse("commissions:submit", args=[call.slug]))
    assert response.status_code == 200
    # 16, plus 6 for the rate limit's counter in the shared database cache (read, then write
    # in its own savepoint); with Redis they are not SQL.
    with django_assert_max_num_queries(22):
        client.post(
            reverse("commissions:submit", args=[call.slug]), valid_submission(call, vocab, title="")
        )


def test_submission_respects_deadline_at_the_second(client, call, vocab, monkeypatch):
    frozen = call.deadline + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    response = client.post(
        reverse("commissions:submit", args=[call.slug]), valid_submission(call, vocab)
    )
    assert response.status_code == 403
    assert Commission.objects.count() == 0


def test_honeypot_is_out_of_keyboard_and_autofill_reach(client, call):
    page = client.get(reverse("commissions:submit", args=[call.slug])).content.decode()
    field = page[page.index('name="nickname"') - 200 : page.index('name="nickname"') + 200]
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field


def test_two_submissions_picking_the_same_reference_both_land(call, vocab, monkeypatch):
    """Concurrent submissions may read the same last number; the second takes the next."""
    from commissions.models import Commission

    first = make_commission(call, vocab)
    taken = first.reference
    real = Commission._next_reference
    answers = iter([taken])
    monkeypatch.setattr(
        Commission, "_next_reference", lambda self: next(answers, None) or real(self)
    )
    second = make_commission(call, vocab)
    assert second.reference != taken
    assert Commission.objects.count() == 2


def test_french_confirmation_has_french_spacing_and_english_one_a_single_full_stop(
    call, vocab, broker
):
    """"Référence : …" with a no-break space in French; no "p.m.." in English."""
    from commissions.outbox.mail import build_context, render_email

    call.deadline = call.deadline.replace(hour=22, minute=59)  # 23:59 in Brussels
    call.save()
    commission = make_commission(call, vocab)
    french = Email(kind="confirmation", to="a@b.example", language="fr", commission=commission)
    subject, body = render_email(french, build_context(french, issue_link=False)[0])
    assert "Référence\u00a0: " in body
    assert " :" not in body and "https\u00a0:" not in body
    english = Email(kind="confirmation", to="a@b.example", language="en", commission=commission)
    subject, body = render_email(english, build_context(english, issue_link=False)[0])
    assert "Reference: " in body and "\u00a0" not in body
    assert ".." not in body.replace("…", "")
    assert "23:59" in body


def test_french_e_mails_space_the_labels_and_keep_what_was_typed():
    from mias.typography import for_language

    text = "- Titre: 0: oui?\n- Lien : https://x.example/?a=1\nMerci!"
    assert for_language(text, "fr") == (
        "- Titre\u00a0: 0: oui?\n- Lien\u00a0: https://x.example/?a=1\nMerci!"
    )
    assert for_language(text, "en") == text


def test_french_spacing_leaves_addresses_times_and_queries_alone():
    from mias.typography import french_spacing

    text = "Lien : https://x.example/?a=1 à 14:30. Pourquoi? Oui ! «Non» ; fin:"
    assert french_spacing(text) == (
        "Lien\u00a0: https://x.example/?a=1 à 14:30. "
        "Pourquoi\u00a0? Oui\u00a0! «Non»\u00a0; fin\u00a0:"
    )


def test_message_ids_use_the_site_s_domain(
    client, call, vocab, broker, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://commandes.mias.example"
    submit(client, call, valid_submission(call, vocab), django_capture_on_commit_callbacks)
    run_queued(broker)
    assert mail.outbox[0].extra_headers["Message-ID"].endswith("@commandes.mias.example>")
    assert "Message-ID: <" in mail.outbox[0].message().as_string()


def test_english_dates_read_day_first_on_a_24_hour_clock():
    from datetime import datetime

    from django.utils import translation
    from django.utils.formats import date_format

    moment = datetime(2026, 12, 1, 16, 9)
    with translation.override("en"):
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "1 Dec 2026, 16:09"
        assert date_format(moment, "DATETIME_FORMAT").endswith("16:09")
