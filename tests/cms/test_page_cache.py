"""The home and call pages: rendered once per change and language, served from the cache to
anonymous visitors, never with one visitor's token, messages, language or menu for another."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.models import CallPage
from cms.translation import translate_page
from commissions.models import Criterion, KeyDate, PastConsultancy

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def page(home, call):
    return home.add_child(
        instance=CallPage(title=call.title, slug=call.slug, call=call, intro="<p>Bonjour</p>")
    )


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response, response.content.decode()


def served_from_cache(response):
    return response.get("X-Page-Cache") == "hit"


def test_the_second_visitor_is_served_from_the_cache_in_one_query(
    page, django_assert_max_num_queries
):
    address = page.url
    first, html = get(Client(), address)
    assert not served_from_cache(first)
    for url in (address, "/"):
        get(Client(), url)  # the home page's first render
        with django_assert_max_num_queries(1):  # the entry and the version, in one read
            again, cached = get(Client(), url)
        assert served_from_cache(again)
    # The same page as rendered, but for the token.
    assert TOKEN.sub("", get(Client(), address)[1]) == TOKEN.sub("", html)


def test_a_render_costs_a_bounded_number_of_queries_whatever_the_call_holds(
    page, call, vocab, django_assert_max_num_queries
):
    for i in range(40):
        PastConsultancy.objects.create(
            programme=call.programme, sector=vocab["sectors"][i % 4], summary=f"Exemple {i}"
        )
        KeyDate.objects.create(
            call=call, kind="other", label=f"Étape {i}", actor="students",
            starts_at=timezone.now() + timedelta(days=i),
        )  # fmt: skip
    address = page.url
    with django_assert_max_num_queries(19):  # the page's 11, the cache's 8 (read, write)
        assert "Exemple 39" in get(Client(), address)[1]


def test_an_edit_of_the_call_or_its_key_dates_shows_at_once(page, call):
    client = Client()
    get(client, page.url)
    assert served_from_cache(get(client, page.url)[0])
    call.contact_email = "nouvelle@mias.example"
    call.save()
    response, html = get(client, page.url)
    assert not served_from_cache(response) and "nouvelle@mias.example" in html
    key_date = call.key_dates.get(kind="clarification")
    key_date.label = "Rencontre sur place"
    key_date.save()
    assert "Rencontre sur place" in get(client, page.url)[1]
    Criterion.objects.create(call=call, label="Engagement de l'institution")
    assert "Engagement de l&#x27;institution" in get(client, page.url)[1]
    call.key_dates.filter(kind="end").delete()
    assert "Fin du laboratoire" not in get(client, page.url)[1]


def test_a_published_edit_of_the_page_shows_and_a_draft_does_not(page, home):
    client = Client()
    get(client, page.url)
    get(client, "/")
    page.intro = "<p>Texte revu</p>"
    page.save_revision()  # a draft: the public still reads the live page
    assert "Bonjour" in get(client, page.url)[1]
    page.save_revision().publish()
    assert "Texte revu" in get(client, page.url)[1]
    page.title = "Appel renommé"
    page.save_revision().publish()
    assert "Appel renommé" in get(client, "/")[1]
    page.unpublish()
    assert "Appel renommé" not in get(client, "/")[1]
    assert client.get(page.url).status_code == 404


def test_the_page_turns_when_the_call_closes_without_any_edit(page, call, monkeypatch):
    client = Client()
    assert call.get_submit_url() in get(client, page.url)[1]
    assert served_from_cache(get(client, page.url)[0])
    later = call.deadline + timedelta(seconds=1)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    monkeypatch.setattr("mias.pagecache.time.time", lambda: later.timestamp())
    response, html = get(client, page.url)
    assert not served_from_cache(response)
    assert call.get_submit_url() not in html


def test_each_visitor_gets_their_own_token_and_can_post_with_it(page):
    tokens = []
    for _visitor in range(3):
        client = Client(enforce_csrf_checks=True)
        response, html = get(client, page.url)
        token = TOKEN.search(html).group(1)
        tokens.append(token)
        # The language menu posts with the page's token: accepted for this visitor.
        answer = client.post(
            reverse("set_language"),
            {"language": "en", "next": page.url, "csrfmiddlewaretoken": token},
        )
        assert answer.status_code == 302
    assert served_from_cache(response)
    assert len(set(tokens)) == 3
    # Another visitor's token is refused: it is not this visitor's.
    stranger = Client(enforce_csrf_checks=True)
    get(stranger, page.url)
    answer = stranger.post(
        reverse("set_language"), {"language": "en", "csrfmiddlewaretoken": tokens[0]}
    )
    assert answer.status_code == 403


def with_message(client, text):
    storage = CookieStorage(HttpRequest())
    client.cookies[storage.cookie_name] = storage._encode([Message(constants.INFO, text)])
    return client


def test_a_visitor_s_messages_are_shown_to_them_only(page):
    get(Client(), page.url)  # stored
    alice = with_message(Client(), "Message pour Alice")
    response, html = get(alice, page.url)
    assert "Message pour Alice" in html and not served_from_cache(response)
    response, html = get(Client(), page.url)
    assert "Message pour Alice" not in html and served_from_cache(response)
    # Alice's message is read once; her next page may come from the cache.
    assert "Message pour Alice" not in get(alice, page.url)[1]
    # A page first rendered for a visitor with a message is not stored with it.
    bob = with_message(Client(), "Message pour Bob")
    assert "Message pour Bob" in get(bob, "/")[1]
    assert "Message pour Bob" not in get(Client(), "/")[1]


def test_each_language_has_its_own_entry(page):
    translate_page(page, "en", title="Call for consultancies", intro="<p>Hello</p>")
    for language in ("fr", "en", "de", "en", "fr", "de"):
        client = Client()
        client.cookies["django_language"] = language
        html = get(client, page.url)[1]
        assert f'lang="{language}"' in html
        assert f'<option value="{language}" selected>' in html
        assert ("Hello" in html) == (language == "en")
        assert ("Bonjour" in html) == (language != "en")


def test_a_signed_in_visitor_sees_their_own_menu_and_leaves_no_trace(page, django_user_model):
    get(Client(), page.url)
    user = django_user_model.objects.create_user("alice", "alice@x.example", "pw-a-123456")
    member = Client()
    member.force_login(user)
    response, html = get(member, page.url)
    assert not served_from_cache(response)
    assert reverse("teams:my_space") in html and reverse("logout") in html
    response, html = get(Client(), page.url)
    assert served_from_cache(response)
    assert reverse("teams:my_space") not in html and reverse("logout") not in html


def test_a_page_with_a_query_string_or_behind_a_password_is_never_stored(page, home):
    client = Client()
    assert "?x=1" in get(client, page.url + "?x=1")[1]  # the language menu's next
    assert not served_from_cache(get(client, page.url + "?x=1")[0])
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    for _ in range(2):
        html = get(client, page.url)[1]
        assert "Bonjour" not in html
