"""Page structure the whole site shares, read from the templates."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_the_page_heading_always_comes_after_the_tabs():
    """One place for the heading: below the coordination tabs, on every page that has them."""
    wrong = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        tabs = text.find("_workspace_nav.html")
        heading = text.find("<h1")
        if tabs >= 0 and heading >= 0 and heading < tabs:
            wrong.append(str(path.relative_to(TEMPLATES)))
    assert not wrong, f"<h1> above the tabs: {wrong}"


def test_no_two_downloads_share_a_label():
    """Two different Excel files both labelled "Export to Excel" confused the coordinators."""
    labels = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"href=\"\{% url '([^']+(?:export)[^']*)'[^>]*>([^<]+)<", text):
            labels.setdefault(match.group(2).strip(), set()).add(match.group(1))
    shared = {label: urls for label, urls in labels.items() if len(urls) > 1}
    assert not shared, shared
