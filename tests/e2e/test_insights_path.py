"""Across years in a browser: the coordinator reads the analytics (desktop and phone), then
prepares next year's call from the copy screen.

Three finished years of synthetic history (devtools.demo.history) and the year in progress
(the `call` fixture, with its page). The coordinator signs in, opens the analytics, narrows
them to two years, opens a chart's table of numbers; on a 390 px phone the page is no wider
than the screen. Then, from the call's workspace tab, the copy screen previews the dates
moved by whole weeks, and one click makes next year's draft call and draft page.

The pages are shown in English (the language cookie). Screenshots go to
tests/e2e/screenshots/insights-*.png (git-ignored).
"""

import pytest
from browsing import COORDINATOR_PASSWORD, fits_the_screen, serious_violations, sign_in
from django.urls import reverse

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture reports it: skipped, or failed under CI=true
    expect = None

from cms.models import CallPage
from commissions.models import Call
from devtools.demo.history import build_history

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_coordinator_reads_the_analytics_and_prepares_next_year(
    new_page, live_server, programme, call, call_page, coordinator, vocab, shoot
):
    """Walked at both sizes by the viewport parameter: a desktop and a 390 px phone."""
    build_history(programme, 2026, 3, per_year=22, places=6)
    base = live_server.url
    analytics = f"{base}{reverse('insights:analytics', args=[programme.slug])}"
    workspace = f"{base}{reverse('commissions:workspace')}"

    page = new_page()
    sign_in(page, base, "coord", COORDINATOR_PASSWORD, workspace)
    page.get_by_role("link", name="Analytics").click()
    expect(page).to_have_url(analytics)
    expect(page.locator("h1")).to_have_text("Analytics across years")
    charts = page.locator("section .chart-box svg")
    expect(charts).to_have_count(13)
    for svg in charts.all()[:3]:
        assert svg.get_attribute("role") == "img"
    expect(page.locator("#sectors .reading")).to_contain_text("submitted")
    assert fits_the_screen(page)
    shoot(page, "insights-analytics")
    assert serious_violations(page) == []

    # Two years only: the submissions table says so.
    page.locator("#from").select_option("2027-2028")
    page.locator("#to").select_option("2028-2029")
    page.get_by_role("button", name="Show these years").click()
    numbers = page.locator("#submissions details")
    numbers.locator("summary").click()
    rows = numbers.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first.locator("th")).to_have_text("2027-2028")

    # The copy screen, from the call's workspace.
    page.goto(f"{base}{reverse('commissions:review_table', args=[call.slug])}")
    page.get_by_role("link", name="Prepare the next call").click()
    expect(page.locator("h1")).to_have_text("Prepare the 2031-2032 call")
    moved = page.locator("#moved ~ div table tbody tr")
    expect(moved.first).to_be_visible()
    assert moved.count() == call.key_dates.count() + 2  # opening and deadline too
    shoot(page, "insights-copy-preview")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Create the 2031-2032 call as a draft").click()
    expect(page.locator(".alert-success")).to_contain_text("ready as a draft")
    new = Call.objects.get(academic_year="2031-2032")
    assert new.status == "draft" and not CallPage.objects.get(call=new).live
    expect(page.get_by_role("link", name="Edit and publish its page")).to_be_visible()
    shoot(page, "insights-copy-done")
    assert serious_violations(page) == []
    assert fits_the_screen(page)
