"""The network in a browser: the partner finder and the network picture, desktop and phone.

The Luxembourg directory is imported and indexed. A visitor types a need in German whose
best answer is described only in French (Co-Labor's market gardening with long-term
job-seekers): Co-Labor is among the first three suggestions, each with its sentence saying
why. The network picture draws the organisations and the events linking them as an SVG
(no script, no CDN), filters to one sector, and fits a 390 px phone screen like the finder.

Pages in English (the language cookie). Screenshots go to
tests/e2e/screenshots/network-*.png (git-ignored).
"""

import pytest
from browsing import fits_the_screen
from django.conf import settings
from django.urls import reverse

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture reports it: skipped, or failed under CI=true
    expect = None

from network.directory import importing
from network.finder import indexing

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
DIRECTORY = settings.BASE_DIR / "fixtures" / "network" / "organisations.json"
GERMAN = "Langzeitarbeitslose mit Gartenarbeit und Gemüseanbau wieder in Arbeit bringen"


@pytest.fixture
def directory(transactional_db):
    importing.apply(importing.read(DIRECTORY.read_bytes(), "organisations.json"))
    indexing.index_all()


def test_the_finder_and_the_network_picture(new_page, live_server, directory, shoot):
    """Walked at both sizes by the viewport parameter: a desktop and a 390 px phone."""
    page = new_page()
    page.goto(live_server.url + reverse("network:finder"))
    page.get_by_label("Your need, in your own words").fill(GERMAN)
    page.get_by_role("button", name="Find").click()
    results = page.locator("ol li.card")
    expect(results.first).to_be_visible()
    top = results.locator("h3").all_inner_texts()[:3]
    assert "Co-Labor" in top
    co_labor = results.filter(has_text="Co-Labor")
    expect(co_labor.locator(".finder-why")).to_contain_text("Why:")
    expect(co_labor).to_contain_text("Assises sociales")
    assert fits_the_screen(page)
    shoot(page, "network-finder")

    # A request can also arrive in the address (a link shared by e-mail).
    page.goto(live_server.url + reverse("network:finder") + "?q=Wohnung+f%C3%BCr+Familien")
    expect(page.locator("ol li.card").first).to_be_visible()

    page.goto(live_server.url + reverse("network:picture"))
    svg = page.locator("svg.network-svg")
    expect(svg).to_be_visible()
    assert page.locator("svg.network-svg a.org").count() == 33
    assert page.locator("svg.network-svg g.hub").count() == 4
    assert fits_the_screen(page)
    shoot(page, "network-picture")
    page.get_by_label("Sector", exact=True).select_option("Logement")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("svg.network-svg a.org").first).to_be_visible()
    assert 0 < page.locator("svg.network-svg a.org").count() < 10
    # The links are also a list, for readers who cannot see the picture.
    expect(page.locator("dl")).to_contain_text("Fondation pour l'accès au logement")
