"""Helpers of the browser tests (fixtures live in conftest.py)."""

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
