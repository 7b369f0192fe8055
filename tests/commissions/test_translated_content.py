"""Content in several languages: vocabularies, key dates, commitments, criteria and the
coordinators' e-mail wording follow the reader, falling back visibly to French."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from factories import make_commission

from cms.models import CallPage
from commissions.models import (
    CommissionType,
    Criterion,
    KeyDate,
    MessageTemplate,
    Sector,
)
from commissions.outbox.mail import preview

pytestmark = pytest.mark.django_db


@pytest.fixture
def translated(call, vocab):
    sector = vocab["sectors"][1]
    sector.translations = {"en": {"name": "Literacy"}, "de": {"name": "Alphabetisierung"}}
    sector.save()
    presentation = call.key_dates.get(kind="presentation")
    presentation.translations = {
        "en": {"label": "Presentation to the students", "commitment": "Present the commission"},
        "de": {"label": "Vorstellung vor den Studierenden", "commitment": "Den Auftrag vorstellen"},
    }
    presentation.save()
    criterion = call.criteria.get(kind="reviewer")
    criterion.translations = {"en": {"label": "A social-engineering problem"}}
    criterion.save()
    return call


@pytest.fixture
def call_page(call, home):
    return home.add_child(instance=CallPage(title=call.title, slug=call.slug, call=call))


def test_texts_follow_the_reader_and_fall_back_to_french(translated, vocab):
    sector = Sector.objects.get(pk=vocab["sectors"][1].pk)
    key_date = translated.key_dates.get(kind="presentation")
    criterion = translated.criteria.get(kind="reviewer")
    with translation.override("de"):
        assert str(sector) == "Alphabetisierung"
        assert key_date.label_text == "Vorstellung vor den Studierenden"
        text = criterion.tr("label")  # no German yet: the French text, marked as such
        assert text == "Problématique d'ingénierie sociale" and text.fallback == "fr"
    with translation.override("fr"):
        assert str(sector) == "Alphabétisation" and sector.tr("name").fallback is None


def test_the_call_page_in_english_and_the_fallback_marker_for_coordinators(
    client, translated, call_page, coordinator
):
    client.cookies["django_language"] = "en"
    page = client.get(call_page.url).content.decode()
    assert "Presentation to the students" in page
    assert "Present the commission" in page  # the commitment
    assert "A social-engineering problem" in page
    assert "Variété des secteurs" in page and "lang-fallback" not in page  # public: no marker
    client.force_login(coordinator)
    page = client.get(call_page.url).content.decode()
    assert (
        'Variété des secteurs <span class="badge text-bg-light fw-normal lang-fallback" '
        'title="No translation yet: shown in French">(fr)</span>'
    ) in page  # coordinators see what is still missing


def test_the_form_offers_translated_choices_and_commitments(client, translated, vocab):
    client.cookies["django_language"] = "de"
    form = client.get(reverse("commissions:submit", args=[translated.slug])).context["form"]
    sectors = dict((str(k), v) for k, v in form.fields["sector"].choices)
    assert sectors[str(vocab["sectors"][1].pk)] == "Alphabetisierung"
    labels = [str(f.label) for name, f in form.fields.items() if name.startswith("commitment_")]
    assert any(label.startswith("Den Auftrag vorstellen — ") for label in labels)


def test_translations_are_checked(call):
    key_date = call.key_dates.first()
    for bad in [{"xx": {"label": "?"}}, {"en": "Label"}, ["en"]]:
        key_date.translations = bad
        with pytest.raises(ValidationError):
            key_date.full_clean()


def test_coordinators_wording_in_the_recipient_language_else_french(call, vocab):
    commission = make_commission(call, vocab, title="Fehlzeiten")
    for language, subject in [("fr", "Votre commande {title}"), ("en", "Yours")]:
        MessageTemplate.objects.create(
            programme=call.programme,
            kind="decision_selected",
            language=language,
            subject=subject,
            body="…",
        )
    assert preview("decision_selected", commission, "en")[0] == "Yours"
    assert preview("decision_selected", commission, "de")[0] == "Votre commande Fehlzeiten"


def test_the_demo_carries_the_seed_texts_in_three_languages(db):
    call_command("load_demo", "--stage", "ranking", stdout=open("/dev/null", "w"))
    type_ = CommissionType.objects.get(name="Un projet « au frigo »")
    key_date = KeyDate.objects.filter(kind="clarification").first()
    criterion = Criterion.objects.filter(eliminatory=True).first()
    for language, words in [
        ("en", ["A project “on ice”", "clarify the request", "non-profit sector"]),
        ("de", ["Ein Projekt „auf Eis“", "Klärungsgespräch", "Non-Profit-Sektor"]),
    ]:
        with translation.override(language):
            said = [str(type_), key_date.label_text, str(criterion)]
        for word, text in zip(words, said, strict=True):
            assert word in text, (language, text)
    missing = [
        kd.label for kd in KeyDate.objects.all() if not kd.translations.get("de", {}).get("label")
    ]
    assert not missing
    for page in CallPage.objects.filter(locale__language_code="fr"):
        translations = {p.locale.language_code: p.specific for p in page.get_translations()}
        assert set(translations) == {"en", "de"}
        assert translations["de"].live and "echte Aufträge" in translations["de"].intro
        assert "real institutional commissions" in translations["en"].intro


def test_coordinators_write_the_translations_in_the_admin(client, call, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("admin:commissions_call_change", args=[call.pk])).content.decode()
    assert 'name="key_dates-0-translations"' in page
    assert 'name="criteria-0-translations"' in page
