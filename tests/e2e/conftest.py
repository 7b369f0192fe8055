"""Browser tests: Playwright (sync API) drives Debian's Chromium against the live server.

No browser is ever downloaded. Without a usable Chromium the tests are skipped with a message,
except under CI=true, where that fails the run.
"""

import os
from pathlib import Path

# Playwright's sync API runs an event loop in the main thread; Django's ORM would then refuse
# to run in test code and fixtures (SynchronousOnlyOperation).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from browsing import (  # noqa: E402
    COORDINATOR_PASSWORD,
    TIMEOUT_MS,
    audit,
    instrument,
    problems,
)

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
# Every browser test runs at both sizes: a desktop and a 390 px phone.
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
PHONE = {"is_mobile": True, "has_touch": True, "device_scale_factor": 1}


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: browser test (Playwright + Chromium)")


def _no_browser(reason):
    message = f"browser tests need Chromium: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: a missing browser fails the run)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is a dev dependency
        _no_browser(f"the playwright package cannot be imported ({exc})")
    if not Path(CHROMIUM).is_file() or not os.access(CHROMIUM, os.X_OK):
        _no_browser(
            f"no executable at {CHROMIUM} (install Debian's chromium package or set "
            "E2E_CHROMIUM to a Chromium binary)"
        )
    playwright = None
    try:
        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    except Error as exc:
        if playwright is not None:
            playwright.stop()
        noise = ("<launching>", "<launched>", "Browser logs:", "Call log:", "=")
        lines = [line.strip().removeprefix("- ") for line in str(exc).splitlines()]
        lines = list(dict.fromkeys(line for line in lines if line and not line.startswith(noise)))
        detail = " | ".join(lines[:3])[:300] or repr(exc)
        _no_browser(f"launching {CHROMIUM} failed: {detail}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    """The size the test runs at: "desktop" (1280x800) or "phone" (390x844)."""
    return request.param


@pytest.fixture
def findings():
    """What axe-core and the width check found on every page of the test; none may be bad."""
    reports = []
    yield reports
    bad = problems(reports)
    assert not bad, "accessibility or layout problems:\n" + "\n".join(bad)


def _context(browser, viewport, findings, **options):
    extra = PHONE if viewport == "phone" else {}
    context = browser.new_context(viewport=VIEWPORTS[viewport], **extra, **options)
    context.set_default_timeout(TIMEOUT_MS)
    instrument(context, findings)
    return context


@pytest.fixture
def page(browser, viewport, findings):
    context = _context(browser, viewport, findings, locale="fr-BE")
    page = context.new_page()
    yield page
    for open_page in context.pages:
        audit(open_page, findings)  # the last page, whatever a script changed on it
    context.close()


@pytest.fixture
def shoot(viewport, findings):
    """shoot(page, name): audit the page, then a full-page screenshot in
    tests/e2e/screenshots/<name>-<desktop|phone>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shoot(page, name):
        audit(page, findings)
        path = SCREENSHOTS / f"{name}-{viewport}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shoot


@pytest.fixture
def home(transactional_db):
    from django.conf import settings
    from wagtail.models import Locale, Page, Site

    from cms.models import HomePage

    # A transactional test before this one flushed the rows Wagtail's migrations create.
    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    home = root.add_child(instance=HomePage(title="Accueil", slug="accueil"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "root_page": home}
    )
    return home


@pytest.fixture
def call_page(home, call):
    from cms.models import CallPage

    return home.add_child(
        instance=CallPage(
            title=call.title,
            slug=call.slug,
            call=call,
            intro="<p>Le MIAS cherche des questions d'ingénierie sociale.</p>",
        )
    )


# --------------------------------------------------------------------------- people


@pytest.fixture
def coordinator(django_user_model, programme):
    """A coordinator who signs in through the login page (the root conftest's does not)."""
    from commissions.roles import make_coordinator

    user = django_user_model.objects.create_user(
        username="coord",
        password=COORDINATOR_PASSWORD,
        email="coord@mias.example",
        first_name="Claire",
        last_name="Coordinatrice",
    )
    make_coordinator(user, programme)
    return user


@pytest.fixture
def new_page(browser, live_server, viewport, findings):
    """new_page(): a page in a browser context of its own (one person), in English."""
    contexts = []

    def _new_page(**options):
        context = _context(browser, viewport, findings, locale="en-GB", **options)
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        for open_page in context.pages:
            audit(open_page, findings)
        context.close()
