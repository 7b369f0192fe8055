"""Bounded input: every text has a maximum length, no control characters reach a name or a
title, and the similar problems can neither overflow nor take a page down."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from factories import make_commission, valid_submission

from commissions import similarity
from commissions.intake.forms import SubmissionForm
from commissions.models import Commission, Note, Review
from commissions.review import views as review_views
from commissions.selection import selecting
from mias.validators import LONG_TEXT, NOTE_TEXT, clean_line, clean_text
from teams.follow import calendar
from teams.models import Feedback, Milestone, Student

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.mark.parametrize("field", ["question", "context", "expected_outcome", "resources"])
def test_a_text_over_the_limit_is_refused_with_a_message_and_kept(client, call, vocab, field):
    text = "mot " * (LONG_TEXT // 4) + "de trop"
    data = valid_submission(call, vocab, **{field: text})
    response = client.post(reverse("commissions:submit", args=[call.slug]), data)
    assert response.status_code == 200
    assert not Commission.objects.exists()
    errors = response.context["form"].errors[field]
    assert f"at most {LONG_TEXT} characters" in errors[0]
    assert response.context["form"].data[field] == text  # what was typed is shown again


def test_every_free_text_of_the_models_has_a_checked_maximum():
    bounded = {
        Commission: ["question", "context", "expected_outcome", "resources"],
        Review: ["comment"],
        Note: ["text"],
        Milestone: ["note"],
        Feedback: ["improve", "comments"],
        Student: ["notes"],
    }
    for model, names in bounded.items():
        for name in names:
            field = model._meta.get_field(name)
            assert field.max_length in (LONG_TEXT, NOTE_TEXT), (model, name)
            with pytest.raises(ValidationError):
                field.run_validators("x" * (field.max_length + 1))


def test_control_characters_never_reach_a_title_or_a_name(call, vocab):
    data = valid_submission(
        call,
        vocab,
        title="Absentéisme\r\nX-INJECTED:1\x00",
        contact_name="Marie\tDupont\x1b[31m",
        question="Ligne un\r\nLigne deux\x07",
    )
    form = SubmissionForm(data, call=call)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Absentéisme X-INJECTED:1"
    assert form.cleaned_data["contact_name"] == "Marie Dupont[31m"
    assert form.cleaned_data["question"] == "Ligne un\nLigne deux"


def test_the_cleaning_helpers():
    assert clean_line("a\u2028b\rc\x85d") == "ab cd"
    assert clean_text("a\r\nb\rc\x0cd\te") == "a\nb\ncd\te"


def test_a_feed_with_a_line_break_in_a_stored_title_or_name_still_answers(client, teams):
    team = teams[0]
    # A control character PostgreSQL can store (it refuses NUL itself) after the line break.
    Commission.objects.filter(pk=team.commission_id).update(title="Titre\r\nBEGIN:VEVENT\x07")
    user = team.members.all()[0].user
    user.first_name = "Anne\r\nX"
    user.save()
    for feed in [calendar.feed_for(user=user), calendar.feed_for(commission=team.commission)]:
        response = client.get(calendar.feed_url(feed))
        assert response.status_code == 200
        assert b"\x00" not in response.content and b"\x07" not in response.content
        lines = response.content.split(b"\r\n")
        # The title stays inside its SUMMARY line: no event is injected.
        assert lines.count(b"BEGIN:VEVENT") == team.milestones.count()
        assert any(b"Titre BEGIN:VEVENT" in line for line in lines)


def _dictionary(offset, size):
    """`size` distinct words no dictionary has, numbered from `offset`."""
    letters = "bcdfghjklmnpqrstvwxz"
    words = []
    for n in range(offset, offset + size):
        word = ""
        while True:
            n, r = divmod(n, len(letters))
            word += letters[r]
            if not n:
                break
        words.append("q" + word)
    return " ".join(words)


def test_texts_of_hundreds_of_thousands_of_distinct_words_compare_in_bounded_time():
    texts = [(i, _dictionary(i * 355_000, 355_000)) for i in range(4)]
    texts.append((9, "Absentéisme des apprenants en alphabétisation"))
    assert similarity.similar_pairs(texts) == []  # no overflow, no false match
    assert len(similarity.stems(texts[0][1])) == similarity.MAX_STEMS


def test_the_symbols_never_run_out():
    assert similarity._symbol(0) == chr(0x100)
    assert similarity._symbol(0xD800 - 0x100) == chr(0xE000)  # past the surrogates
    last = similarity._SYMBOLS - 1
    assert similarity._symbol(last) == chr(0x10FFFF)
    assert similarity._symbol(last + 1) == chr(0x100)


@pytest.fixture
def failing_similarity(monkeypatch):
    def boom(*args, **kwargs):
        raise ValueError("chr() arg not in range(0x110000)")

    monkeypatch.setattr("commissions.review.reviewing.similar_to", boom)
    monkeypatch.setattr(selecting, "ProblemSimilarity", boom)


@pytest.mark.usefixtures("failing_similarity")
def test_a_similarity_failure_degrades_the_review_page(client, call, vocab, coordinator):
    commission = make_commission(call, vocab)
    client.force_login(coordinator)
    url = reverse("commissions:review_commission", args=[call.slug, commission.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Similar problems could not be computed" in response.content.decode()
    assert commission.title in response.content.decode()
    assert review_views.logger.name == "commissions.review.views"


@pytest.mark.usefixtures("failing_similarity")
def test_a_similarity_failure_degrades_the_selection(client, call, vocab, coordinator):
    for i in range(3):
        make_commission(call, vocab, institution_name=f"Asbl {i}", title=f"Question {i}")
    run = selecting.run_selection(call, coordinator, selecting.default_params(call))
    assert run.result["similarity_failed"] is True
    client.force_login(coordinator)
    page = client.get(reverse("commissions:selection_run", args=[call.slug, run.number]))
    assert page.status_code == 200
    assert "this run has no similarity penalty" in page.content.decode()
