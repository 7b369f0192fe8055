"""Each outbox e-mail is delivered exactly once: claimed before SMTP, marked after, never resent
when only the mark failed; one private link per message."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import OperationalError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from factories import make_commission

from commissions.models import AccessToken, Email
from commissions.outbox import delivery
from commissions.outbox.delivery import DeliveryError, deliver_email

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch):
    monkeypatch.setattr(delivery, "MARK_BACKOFF", 0)


@pytest.fixture
def email(call, vocab):
    commission = make_commission(call, vocab, email="anne@inst.example")
    return Email.objects.create(
        key=f"confirmation:{commission.pk}",
        kind="confirmation",
        to="anne@inst.example",
        commission=commission,
    )


def _locked_when(monkeypatch, status, times):
    """The database answers "locked" to the first `times` marks of `status`."""
    original = QuerySet.update
    calls = {"n": 0}

    def update(self, **fields):
        if self.model is Email and fields.get("status") == status and calls["n"] < times:
            calls["n"] += 1
            raise OperationalError("database is locked")
        return original(self, **fields)

    monkeypatch.setattr(QuerySet, "update", update)
    return calls


def test_a_mark_that_keeps_failing_after_the_send_never_resends(monkeypatch, email):
    _locked_when(monkeypatch, Email.Status.SENT, times=10**6)

    deliver_email(email.pk)
    # The queue runs the task again (a retry, a second worker): nothing leaves twice.
    assert deliver_email(email.pk) == "sending"
    assert deliver_email(email.pk) == "sending"

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == Email.Status.SENDING and email.attempts == 1


def test_a_busy_database_at_the_mark_retries_the_mark_not_the_send(monkeypatch, email):
    calls = _locked_when(monkeypatch, Email.Status.SENT, times=3)

    assert deliver_email(email.pk) == "sent"

    assert calls["n"] == 3
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == Email.Status.SENT and email.sent_at is not None
    assert deliver_email(email.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_a_row_being_sent_is_not_picked_again(email):
    Email.objects.filter(pk=email.pk).update(
        status=Email.Status.SENDING, claimed_at=timezone.now()
    )
    assert deliver_email(email.pk) == "sending"
    assert mail.outbox == []
    assert not AccessToken.objects.exists()


def test_a_refused_send_is_retried_with_one_link_per_message(monkeypatch, email):
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages
    refusals = {"n": 0}

    def send_messages(self, messages):
        if not refusals["n"]:
            refusals["n"] += 1
            raise ConnectionRefusedError("SMTP server down")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    with pytest.raises(DeliveryError):
        deliver_email(email.pk)
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED and "SMTP server down" in email.error
    # The link of the refused attempt was never delivered: it does not exist any more.
    assert not AccessToken.objects.exists()

    assert deliver_email(email.pk) == "sent"

    assert len(mail.outbox) == 1
    assert AccessToken.objects.filter(commission=email.commission).count() == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/commande/" in line)
    token = link.strip().rstrip("/").rsplit("/", 1)[-1]
    assert AccessToken.resolve(token) == email.commission
    email.refresh_from_db()
    assert email.attempts == 2 and token not in email.body


def test_a_busy_database_while_rendering_leaves_no_link_and_sends_later(monkeypatch, email):
    original = AccessToken.issue

    def locked(commission):
        original(commission)  # written, then the transaction fails
        raise OperationalError("database is locked")

    monkeypatch.setattr(AccessToken, "issue", classmethod(lambda cls, c: locked(c)))
    with pytest.raises(DeliveryError):
        deliver_email(email.pk)
    assert not AccessToken.objects.exists()
    email.refresh_from_db()
    assert email.status == Email.Status.FAILED and mail.outbox == []

    monkeypatch.setattr(AccessToken, "issue", original)
    assert deliver_email(email.pk) == "sent"
    assert len(mail.outbox) == 1 and AccessToken.objects.count() == 1


def test_the_outbox_page_reports_rows_left_sending(
    client, call, coordinator, email, django_assert_max_num_queries
):
    Email.objects.filter(pk=email.pk).update(
        status=Email.Status.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(coordinator)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("commissions:outbox", args=[call.slug]))
    assert response.status_code == 200
    assert response.context["stale"] == [email]
    assert 'id="outbox-stale"' in response.content.decode()
    # Still being sent a moment ago: not reported yet.
    Email.objects.filter(pk=email.pk).update(claimed_at=timezone.now())
    response = client.get(reverse("commissions:outbox", args=[call.slug]))
    assert response.context["stale"] == []
