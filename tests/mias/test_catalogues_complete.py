"""The fr, en and de catalogues are complete, compile, and match the strings in the code.

English is the source language (msgids are English), so its catalogue may keep empty
msgstrs; French and German must translate every entry, with no fuzzy flag left and the
same placeholders as the msgid. `manage.py translations missing <lang>` lists what is
missing (devtools).
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.LOCALE_PATHS[0])
CODES = [code for code, _name in settings.LANGUAGES]
TRANSLATED = [code for code in CODES if code != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sd]|\{\{ *[\w.|]+ *\}\}")


def catalogue(code):
    return polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po"))


def live(po):
    return [entry for entry in po if not entry.obsolete]


def test_the_site_speaks_french_english_and_german():
    assert CODES == ["fr", "en", "de"]
    assert settings.LANGUAGE_CODE == "fr"


@pytest.mark.parametrize("code", CODES)
def test_catalogue_exists_and_compiled_file_is_current(code):
    po = catalogue(code)
    assert len(live(po)) > 500
    mo_path = LOCALE / code / "LC_MESSAGES" / "django.mo"
    assert mo_path.exists(), f"{code}: run compilemessages"
    mo = {(e.msgctxt, e.msgid): e for e in polib.mofile(str(mo_path))}
    stale = []
    for entry in live(po):
        if "fuzzy" in entry.flags or not (entry.msgstr or any(entry.msgstr_plural.values())):
            continue
        compiled = mo.get((entry.msgctxt, entry.msgid))
        if compiled is None or compiled.msgstr != entry.msgstr:
            stale.append(entry.msgid)
    assert not stale, f"{code}: django.mo is older than django.po; run compilemessages: {stale[:5]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_msgid_is_translated(code):
    po = catalogue(code)
    missing = [
        e.msgid
        for e in live(po)
        if (e.msgid_plural and not all(e.msgstr_plural.values()))
        or (not e.msgid_plural and not e.msgstr)
    ]
    fuzzy = [e.msgid for e in live(po) if "fuzzy" in e.flags]
    assert not missing, f"{code}: {len(missing)} untranslated, e.g. {missing[:5]}"
    assert not fuzzy, f"{code}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_english_keeps_no_fuzzy_translation():
    assert not [e.msgid for e in live(catalogue("en")) if "fuzzy" in e.flags]


@pytest.mark.parametrize("code", CODES)
def test_translations_keep_the_placeholders(code):
    wrong = []
    for entry in live(catalogue(code)):
        source = set(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or "")))
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in forms:
            if not text:
                continue
            used = set(PLACEHOLDER.findall(text))
            # A singular form may leave out the count ("one team"), never invent one.
            if used - source or (not entry.msgid_plural and used != source):
                wrong.append((entry.msgid, text))
    assert not wrong, f"{code}: placeholders changed: {wrong[:3]}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
@pytest.mark.parametrize("code", CODES)
def test_catalogue_compiles(code):
    result = subprocess.run(
        ["msgfmt", "--check", "-o", os.devnull, str(LOCALE / code / "LC_MESSAGES" / "django.po")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext's xgettext is not installed")
def test_catalogues_hold_every_string_of_the_code(tmp_path, settings, monkeypatch):
    """A string added to the code but not extracted into the catalogues fails here.

    makemessages runs on a tree of links to the sources (no locale/ in it), so that it
    writes a fresh catalogue into tmp_path and never touches the repository's.
    """
    source = tmp_path / "src"
    source.mkdir()
    skip = {"locale", "tests", "staticfiles", "node_modules", "media", "private"}
    for item in Path(settings.BASE_DIR).iterdir():
        if item.is_dir() and not item.name.startswith(".") and item.name not in skip:
            (source / item.name).symlink_to(item)
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["fr"], symlinks=True, no_obsolete=True, verbosity=0)
    fresh = polib.pofile(str(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    in_code = {(e.msgctxt, e.msgid) for e in live(fresh)}
    assert len(in_code) > 500
    for code in CODES:
        in_catalogue = {(e.msgctxt, e.msgid) for e in live(catalogue(code))}
        absent = sorted(msgid for _ctx, msgid in in_code - in_catalogue)
        assert not absent, (
            f"{code}: {len(absent)} strings of the code are not in the catalogue "
            f"(run make messages): {absent[:5]}"
        )
