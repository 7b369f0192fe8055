"""The institution's path and the coordinator's selection in French, English and German.

Each language in a browser of that language: the call page (its translation), the form,
the confirmation, the e-mailed private page; then a coordinator's selection run, read in the
same language. Screenshots in tests/e2e/screenshots/lang-<code>-*.png (git-ignored).
"""

import re

import pytest
from browsing import COORDINATOR_PASSWORD, TIMEOUT_MS, sign_in
from django.core import mail
from factories import make_commission, run_queued

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture reports it: skipped, or failed under CI=true
    expect = None

from cms.translation import translate_page
from commissions.models import Commission, Criterion, Email
from commissions.review.reviewing import record_review_submission

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = {
    # code: (browser locale, call page title, words of the form, confirmation, selection)
    "fr": (
        "fr-BE",
        "Appel à commandes",
        "Votre institution",
        "Merci, votre commande",
        "commandes sélectionnées",
    ),
    "en": (
        "en-GB",
        "Call for commissions",
        "Your institution",
        "Thank you, your commission",
        "commissions selected",
    ),
    "de": (
        "de-DE",
        "Ausschreibung für Aufträge",
        "Ihre Einrichtung",
        "Vielen Dank, Ihr Auftrag",
        "Aufträge von",
    ),
}
FIELDS = {
    "institution_name": "Maison de quartier",
    "address": "Rue Haute 5",
    "city": "Namur",
    "contact_name": "Lena Weber",
    "contact_role": "Direktorin",
    "contact_email": "lena@haus.example",
    "contact_phone": "+352 000",
    "title": "Ehrenamt im Quartier",
    "question": "Wie gewinnen wir junge Freiwillige?",
    "context": "Ein Stadtteilzentrum.",
    "expected_outcome": "Empfehlungen.",
}


def browser_page(browser, live_server, code):
    locale = LANGUAGES[code][0]
    context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_extra_http_headers({"Accept-Language": f"{locale},{code};q=0.9"})
    return context, context.new_page()


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_the_institution_path_in_each_language(
    browser, live_server, settings, call_page, call, vocab, broker, shoot, code
):
    settings.SITE_URL = live_server.url
    _locale, title, form_words, thanks, _selection = LANGUAGES[code]
    if code != "fr":
        translate_page(call_page.get_parent().specific, code, title=title)
        translate_page(call_page, code, title=title, intro=f"<p>{title}</p>")
    context, page = browser_page(browser, live_server, code)
    try:
        page.goto(f"{live_server.url}{call_page.url}")
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("h1")).to_have_text(title if code != "fr" else call.title)
        shoot(page, f"lang-{code}-01-call-page")
        page.locator(f'main a.btn[href="{call.get_submit_url()}"]:visible').first.click()
        expect(page.locator("main")).to_contain_text(form_words)
        expect(page.locator("#id_submitter_language")).to_have_value(code)
        for name, value in FIELDS.items():
            page.locator(f"#id_{name}").fill(value)
        page.locator("#id_legal_form").select_option("asbl")
        page.locator("#id_sector").select_option(str(vocab["sectors"][1].pk))
        page.locator("#id_commission_type").select_option(str(vocab["types"][0].pk))
        page.locator("#id_intervention_context").select_option(str(vocab["contexts"][0].pk))
        page.locator('input[name="languages"][value="fr"]').check()
        oral = call.key_dates.filter(kind="oral").first()
        page.locator(f'input[name="preferred_presentation"][value="{oral.pk}"]').check()
        for commitment in call.commitments():
            page.locator(f"#id_{commitment.field_name}").check()
        page.locator("#id_consent").check()
        shoot(page, f"lang-{code}-02-form")
        page.locator('main form [type="submit"][name="submit"]').click()
        expect(page).to_have_url(re.compile(rf"/appels/{call.slug}/merci/$"))
        expect(page.locator("main")).to_contain_text(thanks)
        shoot(page, f"lang-{code}-03-thanks")
        commission = Commission.objects.get()
        assert commission.submitter_language == code
        assert Email.objects.get(kind="confirmation").language == code
        run_queued(broker)
        (message,) = [m for m in mail.outbox if FIELDS["contact_email"] in m.to]
        link = next(line.strip() for line in message.body.splitlines() if "/commande/" in line)
        page.goto(link)
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator("main")).to_contain_text(FIELDS["title"])
        shoot(page, f"lang-{code}-04-private-page")
    finally:
        context.close()


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_the_coordinator_selection_in_each_language(
    browser, live_server, call, vocab, coordinator, shoot, code
):
    call.places = 2
    call.save()
    criteria = list(call.criteria.filter(kind=Criterion.Kind.REVIEWER))
    for i in range(4):
        commission = make_commission(
            call,
            vocab,
            institution_name=f"Institution {i}",
            email=f"c{i}@x.example",
            title=f"Question {i}",
            sector=vocab["sectors"][i % 3],
        )
        record_review_submission(commission, coordinator, {c.pk: 3 - i % 2 for c in criteria}, {})
    context, page = browser_page(browser, live_server, code)
    try:
        base = live_server.url
        sign_in(page, base, "coord", COORDINATOR_PASSWORD, re.compile(".*"))
        page.goto(f"{base}/coordination/{call.slug}/selection/")
        expect(page.locator("html")).to_have_attribute("lang", code)
        shoot(page, f"lang-{code}-05-selection")
        page.locator('main form[method="post"] button[type="submit"]').click()
        expect(page).to_have_url(re.compile(r"/selection/1/$"))
        expect(page.locator("main .alert-info")).to_contain_text(LANGUAGES[code][4])
        shoot(page, f"lang-{code}-06-selection-run")
    finally:
        context.close()
