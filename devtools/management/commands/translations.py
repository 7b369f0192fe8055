"""Dev-only helper for the catalogues in locale/: list what a language misses, fill it back.

    manage.py translations status                  # per language: entries, missing, fuzzy
    manage.py translations missing de -o de.json   # untranslated or fuzzy entries as JSON
    manage.py translations fill de de.json         # write the translated JSON back, unfuzzy

The JSON is a list of objects {"msgid", "msgid_plural", "msgctxt", "msgstr" | "msgstr_plural"}:
translate "msgstr" (or each item of "msgstr_plural", one per plural form of the language)
and hand the same file to `fill`. Entries whose translation is left empty are skipped, so
a file can be filled in several batches. Run `compilemessages` afterwards.

English is the source language of the msgids: its catalogue may keep empty msgstrs.
Needs polib (the `dev` extra); the product never imports this module.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

SOURCE_LANGUAGE = "en"


def catalogue_path(language: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


def load(language: str):
    try:
        import polib
    except ImportError as exc:  # pragma: no cover - dev extra missing
        raise CommandError("polib is needed: pip install -e '.[dev]'") from exc
    path = catalogue_path(language)
    if not path.exists():
        raise CommandError(f"No catalogue for {language!r} at {path}")
    return polib.pofile(str(path), wrapwidth=79)


def plural_count(po) -> int:
    forms = po.metadata.get("Plural-Forms", "nplurals=2;")
    try:
        return int(forms.split("nplurals=")[1].split(";")[0])
    except (IndexError, ValueError):
        return 2


def is_missing(entry) -> bool:
    if entry.obsolete:
        return False
    if "fuzzy" in entry.flags:
        return True
    if entry.msgid_plural:
        return not entry.msgstr_plural or any(not v for v in entry.msgstr_plural.values())
    return not entry.msgstr


def missing_entries(language: str) -> list[dict]:
    po = load(language)
    forms = plural_count(po)
    out = []
    for entry in po:
        if not is_missing(entry):
            continue
        item = {"msgid": entry.msgid}
        if entry.msgctxt:
            item["msgctxt"] = entry.msgctxt
        if entry.msgid_plural:
            item["msgid_plural"] = entry.msgid_plural
            item["msgstr_plural"] = ["" for _ in range(forms)]
        else:
            item["msgstr"] = ""
        if entry.comment:
            item["comment"] = entry.comment
        out.append(item)
    return out


def fill(language: str, items: list[dict]) -> int:
    po = load(language)
    by_key = {(e.msgctxt or "", e.msgid): e for e in po if not e.obsolete}
    written = 0
    for item in items:
        entry = by_key.get((item.get("msgctxt") or "", item["msgid"]))
        if entry is None:
            continue
        if entry.msgid_plural:
            values = item.get("msgstr_plural") or []
            if not values or any(not v for v in values):
                continue
            entry.msgstr_plural = dict(enumerate(values))
        else:
            if not item.get("msgstr"):
                continue
            entry.msgstr = item["msgstr"]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        written += 1
    po.save()
    return written


class Command(BaseCommand):
    help = "List a catalogue's missing translations as JSON, or write translated JSON back."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="entries, missing and fuzzy per language")
        missing = sub.add_parser("missing", help="untranslated or fuzzy entries as JSON")
        missing.add_argument("language")
        missing.add_argument("-o", "--output", help="file to write (stdout by default)")
        missing.add_argument("--limit", type=int, default=0, help="at most this many entries")
        filling = sub.add_parser("fill", help="write translations from a JSON file")
        filling.add_argument("language")
        filling.add_argument("file")

    def handle(self, *args, action, **options):
        if action == "status":
            for code, _name in settings.LANGUAGES:
                po = load(code)
                live = [e for e in po if not e.obsolete]
                missing = sum(1 for e in live if is_missing(e))
                fuzzy = sum(1 for e in live if "fuzzy" in e.flags)
                note = " (source: empty msgstrs allowed)" if code == SOURCE_LANGUAGE else ""
                self.stdout.write(
                    f"{code}: {len(live)} entries, {missing} missing, {fuzzy} fuzzy{note}"
                )
            return
        if action == "missing":
            items = missing_entries(options["language"])
            if options["limit"]:
                items = items[: options["limit"]]
            text = json.dumps(items, ensure_ascii=False, indent=1)
            if options["output"]:
                Path(options["output"]).write_text(text + "\n", encoding="utf-8")
                self.stderr.write(f"{len(items)} entries written to {options['output']}")
            else:
                sys.stdout.write(text + "\n")
            return
        items = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
        written = fill(options["language"], items)
        self.stdout.write(f"{written} entries written to {catalogue_path(options['language'])}")
