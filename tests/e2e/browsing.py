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
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the page, as short texts:
    the same audit as every page gets (AUDIT_JS below), asked for now."""
    # Evaluated through the browser's protocol: the site's CSP (script-src 'self') would
    # refuse an injected <script>.
    if not page.evaluate("() => !!window.axe"):
        page.evaluate("(source) => { (0, eval)(source); }", AXE.read_text(encoding="utf-8"))
    report = page.evaluate(AUDIT_JS, True)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes']}" for v in report["violations"]]


# --------------------------------------------------------------------------- accessibility
# axe-core (tests/e2e/vendor/axe-core, MPL-2.0) runs in every page the browser tests load,
# with the WCAG 2.1 A and AA rules; a serious or critical violation, or a page wider than
# the window (a horizontal scroll bar on a 390 px phone), fails the test.

import json  # noqa: E402

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MARK = "__mias_audit__"
# Wagtail's own admin (its page editor's aria-input-field-name) is not the project's to fix:
# audited, reported in the issue note, not failed on.
NOT_OURS = ("/admin/", "/django-admin/")

RUN_JS = """
async () => {
  // One run at a time: the audit started at page load may still be going.
  while (window.axe._running) await new Promise((done) => setTimeout(done, 50));
  const result = await window.axe.run(document, {
    runOnly: {type: "tag", values: TAGS},
    resultTypes: ["violations"],
  });
  const bad = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}));
  const root = document.documentElement;
  return {url: location.pathname + location.search, violations: bad,
          width: root.scrollWidth, viewport: window.innerWidth};
}
""".replace("TAGS", json.dumps(AXE_TAGS))

# One audit at a time per page (axe refuses two at once): each waits for the previous one.
# An audit of a page whose DOM has not changed since its last audit would find the same, so it
# is skipped (a screenshot right after a load, the teardown's audit of the last page): axe's
# rules are most of a browser test's time.
INIT_JS = (
    "window.__miasChanges = 0;"
    "new MutationObserver((changes) => { window.__miasChanges += changes.length; })"
    "  .observe(document, {subtree: true, childList: true, attributes: true,"
    "                      characterData: true});"
    "window.__miasAudit = (again) => {"
    "  const next = (window.__miasQueue || Promise.resolve()).then(() => {"
    "    const seen = window.__miasChanges;"
    "    if (!again && window.__miasSeen === seen) return null;"
    f"    return ({RUN_JS})().then((report) => {{ window.__miasSeen = seen; return report; }});"
    "  });"
    "  window.__miasQueue = next.catch(() => null);"
    "  return next;"
    "};"
    "window.addEventListener('load', () => setTimeout(async () => {"
    "  if (!window.axe || window.top !== window) return;"
    "  const report = await window.__miasAudit();"
    f"  if (report) console.log('{MARK}' + JSON.stringify(report));"
    "  window.__miasAudited = true;"
    "}, 50));"
)
AUDIT_JS = "(again) => window.__miasAudit ? window.__miasAudit(again) : null"


def instrument(context, findings):
    """Audit every page of this browser context; the reports land in `findings`."""
    context.add_init_script(script=AXE.read_text(encoding="utf-8"))
    context.add_init_script(script=INIT_JS)

    def on_console(message):
        if message.text.startswith(MARK):
            findings.append(json.loads(message.text[len(MARK) :]))

    context.on("console", on_console)


def settled(page):
    """Wait for the audit of the page load: a drag that starts while axe reads the colours
    would be audited half-way (a card greyed out while it moves)."""
    page.wait_for_function("() => !window.axe || window.__miasAudited === true")


def audit(page, findings):
    """Audit the page as it is now (after a script changed it), synchronously."""
    report = page.evaluate(AUDIT_JS)
    if report:
        findings.append(report)


def problems(findings):
    """Human-readable failures: serious/critical axe violations and pages wider than the window."""
    found = []
    for report in findings:
        url = report["url"]
        if url.startswith(NOT_OURS):
            continue
        for v in report["violations"]:
            found.append(f"{url}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}")
        if report["width"] > report["viewport"]:
            found.append(f"{url}: {report['width']} px wide in a {report['viewport']} px window")
    return sorted(set(found))


def fits_the_screen(page):
    """No wider than the window: no horizontal scroll bar (every audit also reports it)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def open_menu(page):
    """On a phone the header's links sit behind the menu button: open it (no-op on a desktop)."""
    toggler = page.locator("header .navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        page.locator("#main-menu.show").wait_for()
