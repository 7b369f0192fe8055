"""The outbox a page at a time: newest first, filtered by status, same queries at any size."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from bulk import many_submissions
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissions.models import Email
from commissions.paging import PAGE_SIZE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def url(call):
    return reverse("commissions:outbox", args=[call.slug])


def test_pages_run_newest_first_and_keep_the_status(client, call, vocab, coordinator):
    many_submissions(call, vocab, PAGE_SIZE)  # two e-mails each
    sent = Email.objects.filter(status=Email.Status.SENT)
    assert PAGE_SIZE < sent.count() < 2 * PAGE_SIZE
    client.force_login(coordinator)
    first = client.get(url(call), {"status": "sent"})
    assert first.context["page"].paginator.count == sent.count()
    assert first.context["total"] == 2 * PAGE_SIZE
    html = first.content.decode()
    assert f"1–{PAGE_SIZE} of {sent.count()} e-mails" in html
    link = re.search(r'href="\?([^"]*page=2)"', html).group(1).replace("&amp;", "&")
    assert "status=sent" in link
    second = client.get(url(call) + "?" + link)
    rows = list(first.context["emails"]) + list(second.context["emails"])
    assert sorted(e.pk for e in rows) == sorted(sent.values_list("pk", flat=True))
    keys = [(e.created_at, e.pk) for e in rows]
    assert keys == sorted(keys, reverse=True)


def test_a_row_left_sending_is_reported_from_any_page(client, call, vocab, coordinator):
    many_submissions(call, vocab, PAGE_SIZE)
    oldest = Email.objects.order_by("created_at", "pk").first()
    Email.objects.filter(pk=oldest.pk).update(
        status=Email.Status.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(coordinator)
    response = client.get(url(call))
    assert oldest not in response.context["emails"]
    assert response.context["stale"] == [oldest]
    assert 'id="outbox-stale"' in response.content.decode()


def queries(client, call, params):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url(call), params).status_code == 200
    return len(context.captured_queries)


def test_the_same_queries_at_3_and_at_60_submissions(
    client, call, vocab, coordinator, django_assert_max_num_queries
):
    many_submissions(call, vocab, 3)
    client.force_login(coordinator)
    small = queries(client, call, {"status": "queued"})
    many_submissions(call, vocab, 57)
    with django_assert_max_num_queries(12):
        response = client.get(url(call), {"status": "queued"})
    assert queries(client, call, {"status": "queued"}) == small
    assert queries(client, call, {"page": 3}) <= small
    assert len(client.get(url(call)).context["emails"]) == PAGE_SIZE
    assert response.status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"page": "-1"}, {"page": "x"}, {"page": "9" * 40}, {"status": "nope"}, {"status": "\x00"}],
)
def test_bad_page_or_status_values_still_show_a_page(client, call, vocab, coordinator, params):
    many_submissions(call, vocab, PAGE_SIZE)
    client.force_login(coordinator)
    response = client.get(url(call), params)
    assert response.status_code == 200 and response.context["emails"]


def test_the_outbox_lists_its_own_call_s_e_mails_only(client, call, vocab, coordinator):
    from factories import make_call, make_commission

    from commissions.outbox.mail import queue_email

    other = make_call(call.programme, slug="other-call")
    mine = make_commission(call, vocab, institution_name="Mine", email="mine@inst.example")
    theirs = make_commission(other, vocab, institution_name="Theirs", email="th@inst.example")
    queue_email("mine:c", "confirmation", "mine@inst.example", commission=mine)
    queue_email("mine:call", "confirmation", "call@inst.example", call=call)
    queue_email("theirs:c", "confirmation", "th@inst.example", commission=theirs)
    queue_email("theirs:call", "confirmation", "call2@inst.example", call=other)
    client.force_login(coordinator)
    shown = {e.key for e in client.get(url(call)).context["emails"]}
    assert {"mine:c", "mine:call"} <= shown and not shown & {"theirs:c", "theirs:call"}


def test_an_e_mail_about_a_commission_always_names_its_call(call, vocab):
    """The outbox reads a call's e-mails by their call alone: one about a commission takes the
    commission's call when saved, and the database refuses one without (bulk inserts too)."""
    from django.db import IntegrityError, transaction
    from factories import make_commission

    commission = make_commission(call, vocab, institution_name="Inst", email="i@inst.example")
    email = Email.objects.create(
        key="k1", kind="confirmation", to="i@x.example", commission=commission
    )
    assert email.call_id == call.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        Email.objects.bulk_create(
            [Email(key="k2", kind="confirmation", to="i@x.example", commission=commission)]
        )
    # People's e-mails name only their call; that stays allowed.
    assert Email.objects.create(key="k3", kind="invitation", to="s@x.example", call=call).pk


@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_each_row_shows_its_dates_and_status_as_the_language_writes_them(
    client, call, vocab, coordinator, settings, language
):
    """The rows format dates with a format parsed once per language and read status labels from
    a dict: what they show is what Django's date filter and get_status_display would show."""
    from django.template.defaultfilters import date as date_filter
    from django.utils import translation

    many_submissions(call, vocab, 2)
    sent_at = datetime(2026, 3, 4, 21, 7, tzinfo=UTC)
    Email.objects.filter(status=Email.Status.SENT).update(sent_at=sent_at)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(coordinator)
    html = client.get(url(call)).content.decode()
    with translation.override(language):
        for email in Email.objects.filter(call=call):
            for moment in (email.created_at, email.sent_at):
                if moment:
                    shown = date_filter(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
                    assert f">{shown}<" in html
            assert f">{email.get_status_display()}<" in html
            assert email.status_label == email.get_status_display()
    assert html.count(">—<") == Email.objects.filter(call=call, sent_at=None).count()
