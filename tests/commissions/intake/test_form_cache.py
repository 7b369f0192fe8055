"""The empty submission form: rendered once per call, language and change, then served from
the cache with each visitor's own CSRF token; a form sent back with errors is never cached."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from factories import valid_submission

from commissions.models import Commission, KeyDate, Sector

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def url(call):
    return reverse("commissions:submit", args=[call.slug])


def get(client, address):
    response = client.get(address)
    assert response.status_code == 200
    return response, response.content.decode()


def test_the_empty_form_is_rendered_once_and_a_hit_costs_one_query(
    call, vocab, django_assert_max_num_queries
):
    with django_assert_max_num_queries(18):  # the form's 12, the cache's read and write
        first, html = get(Client(), url(call))
    assert first["X-Page-Cache"] == "miss"
    with django_assert_max_num_queries(1):
        again, cached = get(Client(), url(call))
    assert again["X-Page-Cache"] == "hit"
    assert TOKEN.sub("", cached) == TOKEN.sub("", html)
    assert 'name="institution_name"' in cached


def test_a_visitor_posts_the_cached_form_with_their_own_token(call, vocab, broker):
    get(Client(), url(call))
    visitor = Client(enforce_csrf_checks=True)
    response, html = get(visitor, url(call))
    assert response["X-Page-Cache"] == "hit"
    data = valid_submission(call, vocab, csrfmiddlewaretoken=TOKEN.search(html).group(1))
    answer = visitor.post(url(call), data)
    assert answer.status_code == 302
    assert Commission.objects.count() == 1
    # The same form with another visitor's token is refused.
    stranger = Client(enforce_csrf_checks=True)
    get(stranger, url(call))
    assert stranger.post(url(call), data).status_code == 403


def test_a_form_sent_back_with_errors_keeps_what_was_typed_and_is_not_stored(call, vocab):
    client = Client()
    get(client, url(call))
    response = client.post(url(call), valid_submission(call, vocab, contact_email="marie@"))
    html = response.content.decode()
    assert response.status_code == 200 and "X-Page-Cache" not in response
    assert 'value="Absentéisme des apprenant·es"' in html and 'id="error-summary"' in html
    # The next visitor gets the empty form, not the one with errors.
    response, html = get(Client(), url(call))
    assert response["X-Page-Cache"] == "hit"
    assert 'value="Absentéisme' not in html and 'id="error-summary"' not in html


def test_the_form_follows_the_key_dates_the_sectors_and_the_call(call, vocab):
    client = Client()
    get(client, url(call))
    KeyDate.objects.create(
        call=call,
        kind="report",
        label="Rapport",
        actor="institution",
        starts_at=call.deadline + timedelta(days=150),
        commitment="Relire le rapport de mission",
    )
    assert "Relire le rapport de mission" in get(client, url(call))[1]
    Sector.objects.create(name="Handicap", order=9)
    assert "Handicap" in get(client, url(call))[1]
    call.title = "Appel 2030, version revue"
    call.save()
    assert "Appel 2030, version revue" in get(client, url(call))[1]
    call.status = call.Status.CLOSED
    call.save()
    assert 'name="institution_name"' not in get(client, url(call))[1]


def test_the_form_closes_at_the_deadline_without_any_edit(call, vocab, monkeypatch):
    client = Client()
    get(client, url(call))
    later = call.deadline + timedelta(seconds=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    monkeypatch.setattr("mias.pagecache.time.time", lambda: later.timestamp())
    response, html = get(client, url(call))
    assert "X-Page-Cache" not in response or response["X-Page-Cache"] != "hit"
    assert 'name="institution_name"' not in html


@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_each_language_has_its_form_and_its_default_e_mail_language(call, vocab, language):
    for other in ("fr", "en", "de"):
        client = Client()
        client.cookies["django_language"] = other
        get(client, url(call))
    client = Client()
    client.cookies["django_language"] = language
    response, html = get(client, url(call))
    assert response["X-Page-Cache"] == "hit"
    assert f'lang="{language}"' in html
    selected = re.search(r'name="submitter_language"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert f'<option value="{language}" selected>' in selected


def test_a_signed_in_visitor_gets_the_form_rendered_for_them(call, vocab, django_user_model):
    get(Client(), url(call))
    user = django_user_model.objects.create_user("bob", "bob@x.example", "pw-b-123456")
    member = Client()
    member.force_login(user)
    response, html = get(member, url(call))
    assert "X-Page-Cache" not in response
    assert reverse("logout") in html
    assert reverse("logout") not in get(Client(), url(call))[1]
