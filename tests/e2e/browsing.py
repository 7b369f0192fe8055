"""Helpers of the browser tests (fixtures live in conftest.py)."""

from pathlib import Path

TIMEOUT_MS = 10_000
COORDINATOR_PASSWORD = "coord-pass-2030!"
STUDENT_PASSWORD = "pw-student-123"  # make_cohort's


def sign_in(page, base, username, password, landing):
    from playwright.sync_api import expect

    page.goto(f"{base}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator('main form [type="submit"]').click()
    expect(page).to_have_url(landing)


AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


def serious_violations(page):
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page, as short texts."""
    # Evaluated through the browser's protocol: the site's CSP (script-src 'self') would
    # refuse an injected <script>.
    page.evaluate("(source) => { (0, eval)(source); }", AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    assert result["passes"], "axe-core checked nothing"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
