"""The translation catalogues compile, their .mo is up to date, and French misses nothing.

French is the default language: a msgid without a French msgstr shows English to every
visitor. These checks fail CI when a catalogue has a syntax error (make messages fails),
when a committed .mo was not recompiled after its .po changed, when the code holds a string
the French catalogue lacks (makemessages run on a copy of the sources), or when a French
string breaks the typography (a plain space before : ; ? !).
"""

import ast
import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))
SOURCES = ["mias", "commissions", "cms", "teams", "network", "insights", "devtools", "templates"]

needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None or shutil.which("xgettext") is None,
    reason="GNU gettext (msgfmt, xgettext) is not installed",
)


def language(po):
    return po.parent.parent.name


def compiled(po, tmp_path):
    """The messages of this .po as msgfmt compiles them (fuzzy and empty left out)."""
    mo = tmp_path / f"{language(po)}.mo"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(mo), str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, f"{po.relative_to(ROOT)} does not compile:\n{result.stderr}"
    return messages(mo)


def messages(mo):
    with open(mo, "rb") as handle:
        catalog = dict(gettext.GNUTranslations(handle)._catalog)
    catalog.pop("", None)  # the header holds the compilation date
    return catalog


def untranslated(po):
    """msgids of this .po with no msgstr, or only a fuzzy one."""
    found = []
    for flag in ("--untranslated", "--only-fuzzy"):
        out = subprocess.run(
            ["msgattrib", flag, "--no-wrap", "--no-location", str(po)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        found += [m for m in re.findall(r'^msgid "(.*)"$', out, re.MULTILINE) if m]
    return found


def test_there_are_french_and_english_catalogues():
    assert {"fr", "en"} <= {language(po) for po in CATALOGUES}


@needs_gettext
@pytest.mark.parametrize("po", CATALOGUES, ids=language)
def test_catalogue_compiles_and_its_mo_is_up_to_date(po, tmp_path):
    fresh = compiled(po, tmp_path)
    committed = po.with_suffix(".mo")
    assert committed.exists(), f"{committed.relative_to(ROOT)} is missing: run compilemessages"
    stale = messages(committed)
    changed = sorted(k for k in fresh.keys() | stale.keys() if fresh.get(k) != stale.get(k))
    assert not changed, (
        f"{committed.relative_to(ROOT)} is older than its .po "
        f"({len(changed)} messages differ, e.g. {changed[:3]}): run compilemessages"
    )


@needs_gettext
def test_every_string_of_the_code_has_a_french_translation(tmp_path):
    """makemessages on a copy of the sources: the fresh French catalogue misses nothing."""
    copy = tmp_path / "src"
    copy.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "migrations", "static", "*.mo")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    shutil.copytree(LOCALE, copy / "locale", ignore=shutil.ignore_patterns("*.mo"))
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete"],
        cwd=copy,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    missing = untranslated(copy / "locale/fr/LC_MESSAGES/django.po")
    assert not missing, f"French translations missing or fuzzy (run make messages): {missing}"
    assert not untranslated(LOCALE / "fr/LC_MESSAGES/django.po")


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
