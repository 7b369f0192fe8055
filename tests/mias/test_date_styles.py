"""One date style per language: the long style (weekday) and the short one, nothing else.

Renders the call page and the coordinators' follow-up board in fr, en and de, keeps the
visible text, removes every date written in the language's two named styles and fails on
any date-like text left (another pattern, another language's month names, ISO dates).
"""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from cms.models import CallPage
from mias.formats.de import formats as de_formats
from mias.formats.en import formats as en_formats
from mias.formats.fr import formats as fr_formats

pytestmark = pytest.mark.django_db

MONTHS = {
    "fr": "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre",
    "en": "January|February|March|April|May|June|July|August|September|October|November|December",
    "de": "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember",
}
DAYS = {
    "fr": "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche",
    "en": "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday",
    "de": "Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag",
}
SHORT_EN = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
TIME = r"(?:,? \d{2}:\d{2})?"
STYLES = {  # long, then short, each optionally with the time
    "fr": [
        rf"(?:{DAYS['fr']}) \d{{1,2}} (?:{MONTHS['fr']}) \d{{4}}{TIME}",
        rf"\d{{2}}/\d{{2}}/\d{{4}}{TIME}",
    ],
    "en": [
        rf"(?:{DAYS['en']}) \d{{1,2}} (?:{MONTHS['en']}) \d{{4}}{TIME}",
        rf"\d{{1,2}} (?:{SHORT_EN}) \d{{4}}{TIME}",
    ],
    "de": [
        rf"(?:{DAYS['de']}), \d{{1,2}}\. (?:{MONTHS['de']}) \d{{4}}{TIME}",
        rf"\d{{2}}\.\d{{2}}\.\d{{4}}{TIME}",
    ],
}
OTHER = [
    r"\b\d{1,2}/\d{1,2}\b",  # d/m, m/d/Y
    r"\b\d{1,2}\.\d{1,2}\.(?!\d)",  # d.m. without the year
    r"\b\d{4}-\d{2}-\d{2}\b",  # ISO
    rf"\b(?:{SHORT_EN})\.",  # "Oct. 18"
    rf"\b(?:{MONTHS['en']}) \d{{1,2}}, \d{{4}}",  # "April 20, 2028"
    rf"\b\d{{1,2}}(?:er)? (?:{MONTHS['fr']})\b",
    rf"\b\d{{1,2}}\.? (?:{MONTHS['en']}|{MONTHS['de']})\b",
    rf"\b(?:{MONTHS['en']}|{MONTHS['de']}) \d",
    rf"\b(?:{DAYS['fr']}|{DAYS['en']}|{DAYS['de']}),? \d",  # a weekday of another style
]


def visible_text(html):
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def stray_dates(text, language):
    found = 0
    for style in STYLES[language]:
        text, count = re.subn(style, " ⟨date⟩ ", text)
        found += count
    return found, [m.group(0) for pattern in OTHER for m in re.finditer(pattern, text)]


@pytest.fixture
def call_page(call, home):
    return home.add_child(instance=CallPage(title=call.title, slug=call.slug, call=call))


@pytest.mark.parametrize("language", ["fr", "en", "de"])
def test_call_page_and_board_use_the_two_styles_only(
    client, coordinator, teams, call_page, language
):
    client.cookies["django_language"] = language
    client.force_login(coordinator)
    for url in [call_page.url, reverse("teams:follow", args=[teams[0].call.slug])]:
        response = client.get(url)
        assert response.status_code == 200
        found, others = stray_dates(visible_text(response.content.decode()), language)
        assert found >= 3, f"{url} in {language}: expected dates in the two styles"
        assert not others, f"{url} in {language}: other date styles {others[:5]}"


@pytest.mark.parametrize(
    ("language", "module", "long", "short"),
    [
        ("fr", fr_formats, "jeudi 7 octobre 2027", "07/10/2027"),
        ("en", en_formats, "Thursday 7 October 2027", "7 Oct 2027"),
        ("de", de_formats, "Donnerstag, 7. Oktober 2027", "07.10.2027"),
    ],
)
def test_each_language_has_a_long_and_a_short_style(language, module, long, short):
    from datetime import date

    day = date(2027, 10, 7)
    with translation.override(language):
        assert date_format(day, "DATE_FORMAT") == long
        assert date_format(day, "SHORT_DATE_FORMAT") == short
    assert module.DATETIME_FORMAT.startswith(module.DATE_FORMAT)
    assert module.SHORT_DATETIME_FORMAT.startswith(module.SHORT_DATE_FORMAT)
