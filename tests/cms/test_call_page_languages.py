"""A call page per language (Wagtail's translations), linked, at the same address."""

import pytest
from django.urls import reverse
from factories import make_call
from wagtail.models import Locale

from cms.models import CallPage
from cms.translation import translate_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(home, call):
    return home.add_child(
        instance=CallPage(
            title="Recherche de consultances", slug=call.slug, call=call, intro="<p>Bonjour</p>"
        )
    )


def test_each_language_has_its_page_linked_to_the_others(page):
    english = translate_page(page, "en", title="Call for consultancies", intro="<p>Hello</p>")
    german = translate_page(page, "de", title="Ausschreibung", intro="<p>Guten Tag</p>")
    assert {p.locale.language_code for p in page.get_translations(inclusive=True)} == {
        "fr",
        "en",
        "de",
    }
    assert english.translation_key == german.translation_key == page.translation_key
    assert english.call_id == german.call_id == page.call_id
    assert english.url == german.url == page.url  # one address; Wagtail serves the reader's
    assert Locale.objects.filter(language_code__in=["fr", "en", "de"]).count() == 3


def test_the_language_menu_leads_to_the_page_translation(client, page):
    translate_page(page, "en", title="Call for consultancies", intro="<p>Hello</p>")
    translate_page(page, "de", title="Ausschreibung", intro="<p>Guten Tag</p>")
    assert "Bonjour" in client.get(page.url).content.decode()
    answer = client.post(reverse("set_language"), {"language": "de", "next": page.url})
    assert answer.status_code == 302 and answer.url == page.url
    german = client.get(answer.url).content.decode()
    assert "Guten Tag" in german and 'lang="de"' in german and "Bonjour" not in german
    client.post(reverse("set_language"), {"language": "en", "next": page.url})
    assert "Hello" in client.get(page.url).content.decode()


def test_a_page_without_translation_shows_the_main_language(client, page):
    client.cookies["django_language"] = "de"
    html = client.get(page.url).content.decode()
    assert "Bonjour" in html and 'lang="de"' in html  # the interface still speaks German


def test_the_home_page_lists_the_call_in_each_language(client, page, programme):
    home = page.get_parent().specific
    translate_page(home, "en", title="Home")
    translate_page(page, "en", title="Call for consultancies")
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert "Call for consultancies" in html


def test_the_form_links_back_to_the_call_page(client, page, programme, vocab):
    closed = make_call(programme, slug="closed", opens_delta=-60, deadline_delta=-1)
    closed_page = page.get_parent().add_child(
        instance=CallPage(title="Fermé", slug="ferme", call=closed)
    )
    translate_page(closed_page, "en", title="Closed")
    html = client.get(reverse("commissions:submit", args=[closed.slug])).content.decode()
    assert f'href="{closed_page.url}"' in html
