"""Reviewers find their work: menu entry, "N commissions to review", an e-mail when assigned,
"next unreviewed", a review deadline with one reminder, and scores frozen after the decisions."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from factories import run_queued
from test_review_selection import add_commissions, score_all

from commissions.models import Criterion, Email, Review, ReviewAssignment
from commissions.review import notify, reviewing
from commissions.selection import selecting

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def reviewer(django_user_model, call):
    from django.contrib.auth.models import Group

    from commissions.roles import REVIEWERS

    user = django_user_model.objects.create_user(
        "rev", "rev@x.example", "pw-rev-123", first_name="Rita"
    )
    user.groups.add(Group.objects.get_or_create(name=REVIEWERS)[0])
    call.programme.reviewers.add(user)  # the picker offers the programme's own reviewers
    return user


def assign(client, call, reviewer, commissions, capture):
    with capture(execute=True):
        return client.post(
            reverse("commissions:assignments", args=[call.slug]),
            {"reviewer": reviewer.pk, "commissions": [c.pk for c in commissions]},
        )


def test_assigning_e_mails_the_reviewer_once_through_the_outbox(
    client, call, vocab, coordinator, reviewer, broker, django_capture_on_commit_callbacks
):
    commissions = add_commissions(call, vocab, 3)
    client.force_login(coordinator)
    response = assign(client, call, reviewer, commissions[:2], django_capture_on_commit_callbacks)
    assert response.status_code == 302
    email = Email.objects.get(kind="review_assigned")
    assert email.to == "rev@x.example"
    run_queued(broker)
    (message,) = mail.outbox
    assert commissions[0].reference in message.body and commissions[1].reference in message.body
    assert commissions[2].reference not in message.body
    assert reverse("commissions:review_table", args=[call.slug]) in message.body
    # The same assignments again: nothing new, no second e-mail.
    assign(client, call, reviewer, commissions[:2], django_capture_on_commit_callbacks)
    assert Email.objects.filter(kind="review_assigned").count() == 1
    # One more: one more e-mail, naming only the new one.
    assign(client, call, reviewer, commissions, django_capture_on_commit_callbacks)
    newest = Email.objects.filter(kind="review_assigned").order_by("-pk").first()
    run_queued(broker)
    assert Email.objects.filter(kind="review_assigned").count() == 2
    assert commissions[2].reference in mail.outbox[-1].body
    assert commissions[0].reference not in mail.outbox[-1].body
    assert newest.to == "rev@x.example"


def test_the_reviewer_has_a_menu_entry_and_a_card_leading_to_the_next_commission(
    client, call, vocab, reviewer
):
    commissions = add_commissions(call, vocab, 3)
    client.force_login(reviewer)
    assert 'id="menu-reviews"' not in client.get(reverse("login")).content.decode()
    for c in commissions:
        ReviewAssignment.objects.create(commission=c, reviewer=reviewer)
    home = client.get(reverse("login")).content.decode()
    assert 'id="menu-reviews"' in home and "My reviews" in home
    # Signing in lands on the workspace, with the card.
    page = client.get(reverse("teams:my_space"), follow=True).content.decode()
    assert "3 commissions to review" in page
    first = reverse("commissions:review_commission", args=[call.slug, commissions[0].pk])
    assert first in page
    score_all(call, reviewer, commissions)
    page = client.get(reverse("commissions:workspace")).content.decode()
    assert "Your reviews are all in" in page


def test_next_unreviewed_and_save_and_go_on(client, call, vocab, reviewer):
    commissions = add_commissions(call, vocab, 3)
    for c in commissions:
        ReviewAssignment.objects.create(commission=c, reviewer=reviewer)
    client.force_login(reviewer)
    url = reverse("commissions:review_commission", args=[call.slug, commissions[0].pk])
    page = client.get(url)
    assert page.context["next_unreviewed"]["pk"] == commissions[1].pk
    criterion = call.criteria.get(kind=Criterion.Kind.REVIEWER)
    response = client.post(url, {f"score_{criterion.pk}": 3, "next": "1"})
    assert response["Location"] == reverse(
        "commissions:review_commission", args=[call.slug, commissions[1].pk]
    )
    # From the last one, the next unreviewed wraps to the first still open.
    last = reverse("commissions:review_commission", args=[call.slug, commissions[2].pk])
    assert client.get(last).context["next_unreviewed"]["pk"] == commissions[1].pk


def test_one_reminder_before_the_review_deadline_to_those_not_finished(
    call,
    vocab,
    coordinator,
    reviewer,
    django_user_model,
    broker,
    django_capture_on_commit_callbacks,
):
    done = django_user_model.objects.create_user("done", "done@x.example", "pw-done-123")
    commissions = add_commissions(call, vocab, 2)
    for c in commissions:
        ReviewAssignment.objects.create(commission=c, reviewer=reviewer)
        ReviewAssignment.objects.create(commission=c, reviewer=done)
    score_all(call, done, commissions)
    score_all(call, reviewer, commissions[:1])
    now = timezone.now()
    call.review_deadline = now + timedelta(days=5)
    call.save()
    assert notify.send_review_reminders(now) == 0  # too early
    call.review_deadline = now + timedelta(days=1)
    call.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert notify.send_review_reminders(now) == 1
    assert notify.send_review_reminders(now) == 0  # once, however often the task runs
    (email,) = Email.objects.filter(kind="review_reminder")
    assert email.to == "rev@x.example"
    run_queued(broker)
    body = mail.outbox[-1].body
    assert commissions[1].reference in body and commissions[0].reference not in body
    # Past the deadline, nothing more.
    assert notify.send_review_reminders(now + timedelta(days=2)) == 0


def test_the_coordinator_sets_the_review_deadline_and_bad_dates_get_a_message(
    client, call, coordinator
):
    client.force_login(coordinator)
    url = reverse("commissions:assignments", args=[call.slug])
    response = client.post(url, {"deadline-review_deadline": "tomorrow"})
    assert response.status_code == 200
    assert "Enter a date and a time" in response.content.decode()
    response = client.post(url, {"deadline-review_deadline": "2030-05-31T18:00"})
    assert response.status_code == 302
    call.refresh_from_db()
    assert timezone.localtime(call.review_deadline).strftime("%Y-%m-%d %H:%M") == (
        "2030-05-31 18:00"
    )


def test_scores_are_frozen_once_the_decisions_are_applied(
    client, call, vocab, coordinator, reviewer
):
    commissions = add_commissions(call, vocab, 3)
    ReviewAssignment.objects.create(commission=commissions[0], reviewer=reviewer)
    score_all(call, coordinator, commissions)
    call.places = 1
    call.save()
    params = selecting.default_params(call)
    selecting.confirm_run(selecting.run_selection(call, coordinator, params), coordinator)
    client.force_login(reviewer)
    url = reverse("commissions:review_commission", args=[call.slug, commissions[0].pk])
    page = client.get(url).content.decode()
    assert "the scores are frozen" in page and "Save my scores" not in page
    criterion = call.criteria.get(kind=Criterion.Kind.REVIEWER)
    response = client.post(url, {f"score_{criterion.pk}": 4}, follow=True)
    text = response.content.decode()
    assert "can no longer change" in text and "Your scores are saved" not in text
    assert not Review.objects.filter(reviewer=reviewer).exists()
    with pytest.raises(reviewing.ScoresFrozen):
        score_all(call, reviewer, commissions[:1])


def test_reviewer_pages_stay_bounded_in_queries(
    client, call, vocab, reviewer, django_assert_max_num_queries
):
    commissions = add_commissions(call, vocab, 30)
    for c in commissions:
        ReviewAssignment.objects.create(commission=c, reviewer=reviewer)
    client.force_login(reviewer)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("commissions:workspace")).status_code == 200
    url = reverse("commissions:review_commission", args=[call.slug, commissions[5].pk])
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


def test_the_outbox_says_when_the_queue_last_worked_and_when_it_seems_stopped(
    client, call, vocab, coordinator
):
    from datetime import timedelta as td

    from django_q.models import Task

    from commissions.outbox.health import queue_health
    from commissions.outbox.mail import queue_email

    (commission,) = add_commissions(call, vocab, 1)
    email, _created = queue_email("k1", "decision_selected", "a@x.example", commission=commission)
    client.force_login(coordinator)
    url = reverse("commissions:outbox", args=[call.slug])
    page = client.get(url).content.decode()
    assert "has not worked yet" in page and 'id="queue-stalled"' not in page
    assert "Resend" not in page  # never tried: a resend would send a second copy
    # Twenty minutes later, still waiting and no task finished: it seems stopped.
    Email.objects.filter(pk=email.pk).update(created_at=timezone.now() - td(minutes=20))
    assert 'id="queue-stalled"' in client.get(url).content.decode()
    Task.objects.create(
        id="t1",
        name="t1",
        func="commissions.tasks.deliver_email",
        started=timezone.now(),
        stopped=timezone.now(),
        success=True,
    )
    health = queue_health()
    assert health["last_worked"] is not None and not health["stalled"]
    page = client.get(url).content.decode()
    assert "last worked at" in page and 'id="queue-stalled"' not in page


def test_the_review_table_sorts_by_spread_largest_disagreement_first(
    client, call, vocab, coordinator, reviewer
):
    commissions = add_commissions(call, vocab, 3)
    criterion = call.criteria.get(kind=Criterion.Kind.REVIEWER)
    for c, (mine, theirs) in zip(commissions, [(2, 2), (0, 4), (1, 3)], strict=True):
        reviewing.record_review_submission(c, coordinator, {criterion.pk: mine}, {})
        reviewing.record_review_submission(c, reviewer, {criterion.pk: theirs}, {})
    client.force_login(coordinator)
    url = reverse("commissions:review_table", args=[call.slug])
    rows = client.get(url, {"sort": "-spread"}).context["rows"]
    assert [r["commission"].pk for r in rows] == [
        commissions[1].pk,
        commissions[2].pk,
        commissions[0].pk,
    ]
    rows = client.get(url, {"sort": "spread"}).context["rows"]
    assert rows[0]["commission"].pk == commissions[0].pk
    assert "sort=-spread" in client.get(url).content.decode()
