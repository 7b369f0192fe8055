"""Nothing tells a stranger whether an address is known, and nothing outlives an erasure."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from factories import make_commission, queued_tasks, valid_submission

from commissions.models import Email

pytestmark = pytest.mark.django_db


def test_send_my_link_does_the_same_work_for_known_and_unknown_addresses(
    client, call, vocab, broker, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_commission(call, vocab, email="known@inst.example")
    url = reverse("commissions:request_link")
    client.get(url)
    answers = {}
    for i, address in enumerate(("known@inst.example", "stranger@inst.example")):
        with CaptureQueriesContext(connection) as queries:
            with django_capture_on_commit_callbacks(execute=True):
                # From two addresses: each the first request of its rate-limit window.
                response = client.post(url, {"email": address}, REMOTE_ADDR=f"192.0.2.{i}")
        tasks = queued_tasks(broker)
        answers[address] = (
            response.status_code,
            [q["sql"].split(" ")[0] for q in queries.captured_queries],
            [(func, args) for func, args, _kwargs in tasks],
        )
    known, unknown = answers["known@inst.example"], answers["stranger@inst.example"]
    assert known[0] == unknown[0] == 200
    assert known[1] == unknown[1]  # the same statements, in the same order
    assert known[2] == [("commissions.tasks.send_links", ("known@inst.example", "fr"))]
    assert unknown[2] == [("commissions.tasks.send_links", ("stranger@inst.example", "fr"))]
    assert not Email.objects.exists()  # nothing was looked up during the request


def test_the_send_links_task_queues_one_link_per_live_commission(call, vocab, broker):
    from commissions.tasks import send_links

    make_commission(call, vocab, email="known@inst.example")
    assert send_links("KNOWN@inst.example", "fr") == 1
    assert send_links("stranger@inst.example", "fr") == 0
    assert list(Email.objects.values_list("kind", "to")) == [("link", "known@inst.example")]


def test_the_session_keeps_only_the_reference_of_a_submission(
    client, call, vocab, broker, django_capture_on_commit_callbacks
):
    data = valid_submission(call, vocab)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("commissions:submit", args=[call.slug]), data)
    stored = Session.objects.get().get_decoded()
    text = repr(stored)
    assert data["contact_email"] not in text and data["title"] not in text
    page = client.get(reverse("commissions:submitted", args=[call.slug]))
    assert page.status_code == 200
    assert stored["last_submission"]["reference"] in page.content.decode()


def test_expired_sessions_are_cleared_every_night(client, django_user_model):
    from django_q.models import Schedule

    from commissions.tasks import clear_expired_sessions

    schedule = Schedule.objects.get(func="commissions.tasks.clear_expired_sessions")
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats < 0
    client.force_login(django_user_model.objects.create_user("x", "x@x.example", "pw"))
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(days=1))
    assert clear_expired_sessions() == "cleared"
    assert not Session.objects.exists()


def test_every_page_of_a_private_link_is_kept_out_of_every_cache(client, call, vocab):
    from commissions.models import AccessToken

    commission = make_commission(call, vocab)
    token = AccessToken.issue(commission)
    for name in ("portal", "edit", "withdraw"):
        response = client.get(reverse(f"commissions:{name}", args=[token]))
        assert response.status_code == 200, name
        assert response["Cache-Control"] == "private, no-store", name
    # Unknown or revoked links too: the answer says something about the token.
    assert client.get("/commande/nope/")["Cache-Control"] == "private, no-store"
    # The public "send my link" page may be cached as any page.
    assert "no-store" not in client.get(reverse("commissions:request_link")).get(
        "Cache-Control", ""
    )
