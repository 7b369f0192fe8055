"""No string of another language on a page: each page, rendered in fr, en and de, is
scanned for the other languages' distinctive catalogue strings.

Distinctive: a translation (or English msgid) of at least 12 characters, without
placeholders, that the page's own language does not also use. Content written by the
coordinators in the main language (key-date labels, vocabularies, titles) may fall back to
French by design (marked for coordinators), so the scan skips strings that the test data's
content itself holds.
"""

import re
from html import unescape

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from cms.models import CallPage
from commissions.models import AccessToken, Commission, Criterion, KeyDate, Sector

pytestmark = pytest.mark.django_db
CODES = ["fr", "en", "de"]


def catalogues():
    texts = {code: {} for code in CODES}  # code -> {msgid: text in that language}
    for code in ["fr", "de"]:
        po = polib.pofile(f"{settings.LOCALE_PATHS[0]}/{code}/LC_MESSAGES/django.po")
        for entry in po:
            if entry.obsolete or entry.msgid_plural:
                continue
            texts[code][entry.msgid] = entry.msgstr
            texts["en"][entry.msgid] = entry.msgid
    return texts


def distinctive(texts, foreign, own):
    out = set()
    for msgid, text in texts[foreign].items():
        mine = texts[own].get(msgid, "")
        if len(text) < 12 or "%" in text or "{" in text or "<" in text or text == mine:
            continue
        if any(text == texts[own].get(other) for other in texts[own]):
            continue
        out.add(text)
    return out


def visible(html):
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r'(?s)<select id="language-switch".*?</select>', " ", html)  # endonyms
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def pages(teams, call, coordinator, home):
    page = home.add_child(instance=CallPage(title=call.title, slug=call.slug, call=call))
    commission = teams[0].commission
    student = teams[0].members.all()[0]
    return {
        "anonymous": [page.url, reverse("commissions:submit", args=[call.slug])],
        "institution": [reverse("commissions:portal", args=[AccessToken.issue(commission)])],
        coordinator: [
            reverse("commissions:review_table", args=[call.slug]),
            reverse("commissions:selection", args=[call.slug]),
            reverse("teams:board", args=[call.slug]),
            reverse("teams:people", args=[call.slug]),
            reverse("teams:follow", args=[call.slug]),
        ],
        student.user: [reverse("teams:team", args=[teams[0].pk])],
    }


def content_texts():
    """The main-language content of the test data, which may fall back to French."""
    found = []
    for model, fields in [
        (KeyDate, ["label", "commitment", "location"]),
        (Criterion, ["label", "description"]),
        (Sector, ["name"]),
        (Commission, ["title", "question", "context", "expected_outcome"]),
    ]:
        for row in model.objects.values_list(*fields):
            found.extend(text for text in row if text)
    return " ".join(found)


@pytest.mark.parametrize("language", CODES)
def test_no_page_holds_another_language(client, pages, language):
    texts = catalogues()
    content = content_texts()
    foreign = {
        other: {t for t in distinctive(texts, other, language) if t not in content}
        for other in CODES
        if other != language
    }
    assert all(len(strings) > 200 for strings in foreign.values())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for who, urls in pages.items():
        if not isinstance(who, str):
            client.force_login(who)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = visible(response.content.decode())
            for other, strings in foreign.items():
                found = sorted(s for s in strings if s in text)
                assert not found, f"{url} in {language}: {other} strings {found[:5]}"
        client.logout()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language


def test_the_scan_finds_another_language_when_it_is_there(client, pages):
    """The same scan on a French page with the English page's foreign strings finds French."""
    texts = catalogues()
    french_for_an_english_page = distinctive(texts, "fr", "en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    text = visible(client.get(pages["anonymous"][1]).content.decode())
    assert len([s for s in french_for_an_english_page if s in text]) >= 3
