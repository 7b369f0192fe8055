"""The dev-only translations command lists what a catalogue misses and writes it back."""

import json
import shutil
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings


def test_missing_then_fill_round_trip(tmp_path):
    locale = tmp_path / "locale"
    shutil.copytree(Path(settings.LOCALE_PATHS[0]) / "de", locale / "de")
    po_path = locale / "de" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_path))
    single = next(e for e in po if not e.msgid_plural and e.msgid == "Cancel")
    plural = next(e for e in po if e.msgid_plural and e.msgid == "%(n)s note")
    single.msgstr = ""
    plural.flags.append("fuzzy")
    po.save()

    with override_settings(LOCALE_PATHS=[str(locale)]):
        out = tmp_path / "missing.json"
        call_command("translations", "missing", "de", "-o", str(out))
        items = json.loads(out.read_text())
        assert sorted(i["msgid"] for i in items) == ["%(n)s note", "Cancel"]
        for item in items:
            if "msgstr_plural" in item:
                item["msgstr_plural"] = ["%(n)s Notiz", "%(n)s Notizen"]
            else:
                item["msgstr"] = "Abbrechen"
        out.write_text(json.dumps(items))
        call_command("translations", "fill", "de", str(out))
        call_command("translations", "missing", "de", "-o", str(out))
        assert json.loads(out.read_text()) == []

    po = polib.pofile(str(po_path))
    assert next(e for e in po if e.msgid == "Cancel").msgstr == "Abbrechen"
    note = next(e for e in po if e.msgid == "%(n)s note")
    assert "fuzzy" not in note.flags and note.msgstr_plural[1] == "%(n)s Notizen"
