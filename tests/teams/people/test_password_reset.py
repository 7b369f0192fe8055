"""'Forgot your password?': the same answer for every address, throttled, sent by the outbox."""

import pytest
from django.core import mail
from django.urls import reverse
from factories import queued_tasks, run_queued

from commissions.models import Email

pytestmark = pytest.mark.django_db

URL = "/accounts/mot-de-passe/"


@pytest.fixture
def anna(django_user_model):
    return django_user_model.objects.create_user("anna", "anna@x.example", "old-pass-123")


def test_known_and_unknown_addresses_get_the_same_answer_and_work(client, anna, broker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert reverse("password_reset") == URL
    answers = []
    for i, address in enumerate(("anna@x.example", "nobody@x.example")):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(URL, {"email": address}, REMOTE_ADDR=f"192.0.2.{i}")
        answers.append(
            (
                response.status_code,
                response["Location"],
                [q["sql"].split(" ")[0] for q in queries.captured_queries],
            )
        )
    assert answers[0] == answers[1]
    assert answers[0][1] == reverse("password_reset_done")
    # Nothing was looked up or sent during the requests: the queue does it.
    assert mail.outbox == [] and not Email.objects.exists()
    tasks = queued_tasks(broker)
    assert [(func, args[0]) for func, args, _kw in tasks] == [
        ("teams.tasks.send_password_reset", "anna@x.example"),
        ("teams.tasks.send_password_reset", "nobody@x.example"),
    ]


def test_the_reset_email_leaves_through_the_outbox_with_a_working_link(
    client, anna, broker, django_capture_on_commit_callbacks
):
    client.post(URL, {"email": "ANNA@x.example"})
    with django_capture_on_commit_callbacks(execute=True):
        run_queued(broker)  # looks the account up, queues the outbox e-mail
    run_queued(broker)  # delivers it
    email = Email.objects.get(kind="password_reset")
    assert email.status == Email.Status.SENT and email.to == "anna@x.example"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["anna@x.example"]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/mot-de-passe/" in line)
    path = "/accounts/" + link.split("/accounts/", 1)[1].strip()
    form = client.get(path, follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    assert path.rstrip("/").rsplit("/", 1)[-1] not in email.body  # the token is not kept


def test_resets_are_throttled_per_client_and_per_address(client, anna, broker, settings):
    settings.RATE_LIMIT_PASSWORD_RESETS = 2
    for _i in range(4):
        assert client.post(URL, {"email": "nobody@x.example"}).status_code == 302
    assert len(queued_tasks(broker)) == 2
    # Many client addresses cannot flood one inbox either.
    for i in range(4):
        client.post(URL, {"email": "anna@x.example"}, REMOTE_ADDR=f"198.51.100.{i}")
    assert len(queued_tasks(broker)) == 2


def test_wagtail_offers_no_second_unthrottled_reset_form(client, anna):
    assert client.get("/admin/password_reset/").status_code == 404
    assert mail.outbox == []
