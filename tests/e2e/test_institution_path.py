"""The institution's real path in a browser: call page, form, e-mailed link, edit.

Screenshots of each step go to tests/e2e/screenshots/ (git-ignored).
"""

import re

import pytest
from browsing import open_menu
from django.core import mail
from factories import run_queued

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture reports it: skipped, or failed under CI=true
    expect = None

from commissions.models import Commission, CommissionEvent

pytestmark = [
    pytest.mark.e2e,
    # The live server commits; restoring the migrations' data (Wagtail's root page, locale,
    # default site) keeps each browser test independent of the previous one's flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TEXT_FIELDS = {
    "institution_name": "Lire et Écrire Namur",
    "address": "Rue de Bruxelles 1",
    "postal_code": "5000",
    "city": "Namur",
    "website": "https://lee.example",
    "contact_name": "Marie Dupont",
    "contact_role": "Directrice",
    "contact_email": "marie@lee.example",
    "contact_phone": "+32 81 00 00 00",
    "title": "Absentéisme des apprenant·es",
    "question": "Comment réduire l'absentéisme dans nos groupes ?",
    "context": "Nos groupes perdent un tiers des apprenant·es en cours d'année.",
    "expected_outcome": "Des recommandations concrètes.",
    "resources": "Listes de présence anonymisées.",
}
NEW_TITLE = "Décrochage des apprenant·es en cours d'année"


def fill_submission(page, call, vocab):
    for name, value in TEXT_FIELDS.items():
        page.locator(f"#id_{name}").fill(value)
    page.locator("#id_legal_form").select_option("asbl")
    page.locator("#id_sector").select_option(str(vocab["sectors"][1].pk))
    page.locator("#id_commission_type").select_option(str(vocab["types"][0].pk))
    page.locator("#id_intervention_context").select_option(str(vocab["contexts"][2].pk))
    page.locator('input[name="languages"][value="fr"]').check()
    oral = call.key_dates.filter(kind="oral").order_by("starts_at").last()
    page.locator(f'input[name="preferred_presentation"][value="{oral.pk}"]').check()
    for commitment in call.commitments():
        page.locator(f"#id_{commitment.field_name}").check()
    page.locator("#id_consent").check()
    return oral


def submit_button(page):
    return page.locator('main form [type="submit"][name="submit"]')


def test_institution_submits_follows_its_link_and_edits(
    page, live_server, settings, call_page, call, vocab, broker, shoot
):
    settings.SITE_URL = live_server.url
    submit_url = call.get_submit_url()

    # 1. The call page, and its button to the form.
    page.goto(f"{live_server.url}{call_page.url}")
    expect(page.locator("h1")).to_have_text(call.title)
    shoot(page, "01-call-page")
    page.locator(f'main a.btn[href="{submit_url}"]:visible').first.click()
    expect(page).to_have_url(f"{live_server.url}{submit_url}")

    # 2. The form, completely filled in.
    oral = fill_submission(page, call, vocab)
    # The honeypot stays out of sight: inside a visually-hidden box, 1 px at most.
    honeypot_box = page.locator('.visually-hidden[aria-hidden="true"]:has(#id_nickname)')
    expect(honeypot_box).to_have_count(1)
    expect(honeypot_box).to_have_css("overflow", "hidden")
    assert honeypot_box.bounding_box()["width"] <= 1
    shoot(page, "02-form-filled")

    # 3. Sent once without a title: the summary at the top, the rest kept as typed.
    page.locator("#id_title").fill("")
    submit_button(page).click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator('a[href="#id_title"]')).to_have_count(1)
    expect(summary.locator("li")).to_have_count(1)
    # Both measured at once: focusing the summary scrolls the page (smoothly, on a phone).
    summary_bottom, form_top = page.evaluate(
        """() => [document.querySelector('#error-summary').getBoundingClientRect().bottom,
                  document.querySelector('main form').getBoundingClientRect().top]"""
    )
    assert summary_bottom <= form_top, "summary not above the form"
    expect(page.locator("#id_title")).to_have_class(re.compile(r"\bis-invalid\b"))
    for name, value in TEXT_FIELDS.items():
        if name != "title":
            expect(page.locator(f"#id_{name}")).to_have_value(value)
    expect(page.locator("#id_sector")).to_have_value(str(vocab["sectors"][1].pk))
    expect(page.locator("#id_legal_form")).to_have_value("asbl")
    expect(page.locator(f'input[name="preferred_presentation"][value="{oral.pk}"]')).to_be_checked()
    for commitment in call.commitments():
        expect(page.locator(f"#id_{commitment.field_name}")).to_be_checked()
    expect(page.locator("#id_consent")).to_be_checked()
    assert not Commission.objects.exists()
    summary.scroll_into_view_if_needed()
    shoot(page, "03-form-error")

    # 4. Corrected and sent: the confirmation page.
    page.locator("#id_title").fill(TEXT_FIELDS["title"])
    submit_button(page).click()
    expect(page).to_have_url(re.compile(rf"/appels/{call.slug}/merci/$"))
    commission = Commission.objects.get()
    assert commission.title == TEXT_FIELDS["title"]
    assert commission.preferred_presentation == oral
    main = page.locator("main")
    # Only the reference: the session behind this page keeps no address or title (issue 12).
    expect(main).to_contain_text(commission.reference)
    expect(main).not_to_contain_text(TEXT_FIELDS["contact_email"])
    shoot(page, "04-confirmation")

    # 5. The confirmation e-mail, delivered by the queue, holds the private link.
    assert "commissions.tasks.deliver_email" in run_queued(broker)
    sent = [m for m in mail.outbox if TEXT_FIELDS["contact_email"] in m.to]
    assert len(sent) == 1
    links = [line.strip() for line in sent[0].body.splitlines() if "/commande/" in line]
    assert len(links) == 1, sent[0].body
    link = links[0]
    assert link.startswith(f"{live_server.url}/commande/")
    page.goto(link)
    expect(page.locator("h1")).to_have_text(TEXT_FIELDS["title"])
    expect(page.locator("main")).to_contain_text(commission.reference)
    shoot(page, "05-portal")

    # 6. Edit the title.
    page.locator('main a[href$="/modifier/"]').click()
    expect(page).to_have_url(re.compile(r"/commande/[^/]+/modifier/$"))
    expect(page.locator("#id_title")).to_have_value(TEXT_FIELDS["title"])
    page.locator("#id_title").fill(NEW_TITLE)
    shoot(page, "06-edit-form")
    page.locator('main form button[type="submit"]').click()

    # 7. Back on the portal, the new title shows.
    expect(page).to_have_url(link)
    expect(page.locator("h1")).to_have_text(NEW_TITLE)
    expect(page.locator('main [role="status"]')).to_be_visible()  # "changes saved"
    shoot(page, "07-portal-edited")
    commission.refresh_from_db()
    assert commission.title == NEW_TITLE
    edit = commission.events.get(kind=CommissionEvent.Kind.EDITED)
    assert edit.changes == {"fields": ["title"]}


def test_call_page_shows_key_dates_and_switches_to_english(
    page, live_server, call_page, call, shoot
):
    page.goto(f"{live_server.url}{call_page.url}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    timeline = page.locator("aside ol.timeline > li")
    expect(timeline).to_have_count(call.key_dates.count())
    for key_date in call.key_dates.all():
        expect(page.locator("aside")).to_contain_text(key_date.label)
    # At the top on a phone (before the text), in the aside on a desktop; visible either way.
    submit = page.locator(f'main a.btn[href="{call.get_submit_url()}"]:visible').first
    expect(submit).to_be_visible()
    shoot(page, "08-call-page-fr")

    open_menu(page)
    switcher = page.locator("header form").filter(has=page.locator("#language-switch"))
    switcher.locator("#language-switch").select_option("en")
    switcher.locator('button[type="submit"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}{call_page.url}")
    expect(page.locator("#language-switch")).to_have_value("en")
    expect(submit).to_be_visible()
    expect(timeline).to_have_count(call.key_dates.count())
    shoot(page, "09-call-page-en")
