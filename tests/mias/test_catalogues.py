"""What the completeness checks (test_catalogues_complete.py) cannot see: strings xgettext
never reads (gettext inside an f-string) and French typography (a no-break space before
: ; ? !, so that the sign never starts a line).
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
SOURCES = ["mias", "commissions", "cms", "teams", "network", "insights", "devtools", "templates"]


def test_no_gettext_call_inside_an_f_string():
    """xgettext cannot read f-strings: f"{_('To hand in')}" never reached the catalogue."""
    found = []
    for name in SOURCES[:-1]:
        for path in sorted((ROOT / name).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.JoinedStr):
                    continue
                for call in ast.walk(node):
                    if (
                        isinstance(call, ast.Call)
                        and getattr(call.func, "id", getattr(call.func, "attr", ""))
                        in {"_", "gettext", "gettext_lazy", "ngettext", "pgettext"}
                    ):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"use _('… %(x)s') % {{…}} instead of an f-string: {found}"


def test_french_strings_put_a_no_break_space_before_high_punctuation():
    """ "Référence : …" — a plain space would let ':' start a line."""
    text = (LOCALE / "fr/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', text, re.MULTILINE)
    wrong = [
        e.strip()
        for e in entries
        if re.search(r' [:;?!](\s|$|")', "".join(re.findall(r'"(.*)"', e)))
    ]
    assert not wrong, f"plain space before : ; ? ! in French: {wrong[:5]}"
