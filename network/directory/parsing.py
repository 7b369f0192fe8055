"""The directory of organisations and events, read from JSON or from the Excel template.

Pure: bytes in, (organisations, events, errors) out; every row checked, every problem named
with its row. The database module (`importing.py`) writes only an error-free file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

from mias.i18n import gettext as _

LEGAL_FORMS = {
    "asbl", "cpas", "public", "foundation", "hospital", "ngo", "cooperative", "network",
    "company", "club", "other",
}  # fmt: skip
DESCRIPTION_LANGUAGES = ("fr", "de", "en", "lb", "nl", "pt")
ORGANISATION_COLUMNS = [
    "key", "name", "city", "country", "legal_form", "languages", "sectors", "publics",
    *[f"description_{code}" for code in DESCRIPTION_LANGUAGES],
    "email", "website", "enterprise_number", "rcs_number",
]  # fmt: skip
EVENT_COLUMNS = ["key", "name", "year", "date", "place", "organiser", "participants"]
KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE = re.compile(r"^[a-z]{2,3}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class Parsed:
    organisations: list = field(default_factory=list)
    events: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (where, message)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _list(value, separator=",") -> list[str]:
    if isinstance(value, list):
        return [_text(v) for v in value if _text(v)]
    return [part.strip() for part in _text(value).split(separator) if part.strip()]


def _be_number(value):
    digits = re.sub(r"[ .\-]", "", re.sub(r"^BE", "", value.upper()))
    if len(digits) == 9:
        digits = "0" + digits
    ok = digits.isascii() and digits.isdigit() and len(digits) == 10 and digits[0] in "01"
    return digits if ok and 97 - int(digits[:8]) % 97 == int(digits[8:]) else None


def _rcs_number(value):
    text = value.upper().replace(" ", "")
    ok = text[:1].isascii() and text[:1].isalpha() and text[1:].isdigit() and len(text) <= 8
    return text if ok else None


def check_organisation(row: dict, where: str, errors: list) -> dict | None:
    def error(message):
        errors.append((where, message))

    key, name = _text(row.get("key")).lower(), _text(row.get("name"))
    start = len(errors)
    if not KEY.match(key) or len(key) > 80:
        error(_("the key must be lower-case letters, digits and hyphens (e.g. caritas-lu)"))
    if not name or len(name) > 200:
        error(_("the name is missing or longer than 200 characters"))
    country = _text(row.get("country")).upper()
    if country and not re.match(r"^[A-Z]{2}$", country):
        error(_("the country must be a two-letter code such as BE or LU"))
    legal_form = _text(row.get("legal_form")).lower() or "other"
    if legal_form not in LEGAL_FORMS:
        error(
            _("unknown legal form “%(value)s” (one of: %(allowed)s)")
            % {"value": legal_form, "allowed": ", ".join(sorted(LEGAL_FORMS))}
        )
    languages = [code.lower() for code in _list(row.get("languages"))]
    if any(not LANGUAGE.match(code) for code in languages):
        error(_("working languages are ISO codes separated by commas, e.g. fr, de, lb"))
    sectors = _list(row.get("sectors"), ";")
    if not sectors:
        error(_("give at least one sector of activity"))
    publics = _list(row.get("publics", row.get("people_served")), ";")
    descriptions = row.get("description")
    if not isinstance(descriptions, dict):
        descriptions = {
            code: _text(row.get(f"description_{code}")) for code in DESCRIPTION_LANGUAGES
        }
    descriptions = {str(k).lower(): _text(v) for k, v in descriptions.items() if _text(v)}
    if any(not LANGUAGE.match(code) for code in descriptions):
        error(_("descriptions are keyed by language codes such as fr or de"))
    email = _text(row.get("email"))
    if email and not EMAIL.match(email):
        error(_("“%(value)s” is not an e-mail address") % {"value": email})
    website = _text(row.get("website"))
    if website and not website.startswith(("http://", "https://")):
        error(_("the website must start with http:// or https://"))
    enterprise = _text(row.get("enterprise_number"))
    if enterprise:
        enterprise = _be_number(enterprise)
        if enterprise is None:
            error(_("the Belgian enterprise number is not valid (10 digits and their check)"))
    rcs = _text(row.get("rcs_number"))
    if rcs:
        rcs = _rcs_number(rcs)
        if rcs is None:
            error(_("the Luxembourg RCS number is a letter and digits, e.g. B123456"))
    if len(errors) > start:
        return None
    return {
        "key": key,
        "name": name,
        "city": _text(row.get("city"))[:120],
        "country": country,
        "legal_form": legal_form,
        "languages": languages,
        "sectors": [s[:120] for s in sectors],
        "people_served": publics,
        "descriptions": descriptions,
        "email": email,
        "website": website,
        "enterprise_number": enterprise or "",
        "rcs_number": rcs or "",
    }


def check_event(row: dict, where: str, errors: list) -> dict | None:
    start = len(errors)
    key, name = _text(row.get("key")).lower(), _text(row.get("name"))
    if not KEY.match(key) or len(key) > 80:
        errors.append((where, _("the key must be lower-case letters, digits and hyphens")))
    if not name or len(name) > 255:
        errors.append((where, _("the name is missing or longer than 255 characters")))
    when = row.get("date")
    day = None
    if when:
        try:
            day = when if isinstance(when, date) else date.fromisoformat(_text(when)[:10])
            if hasattr(day, "date"):
                day = day.date()
        except ValueError:
            errors.append((where, _("the date must be written YYYY-MM-DD")))
    year = _text(row.get("year"))
    if year and not (year.isdigit() and 1900 <= int(year) <= 2100):
        errors.append((where, _("the year must be a number such as 2025")))
    if len(errors) > start:
        return None
    return {
        "key": key,
        "name": name,
        "year": int(year) if year else (day.year if day else None),
        "date": day,
        "place": _text(row.get("place"))[:255],
        "organiser": _text(row.get("organiser")).lower(),
        "participants": [k.lower() for k in _list(row.get("participants"))],
    }


def check(organisations: list[dict], events: list[dict], known_keys=frozenset()) -> Parsed:
    """Check every row; known_keys: organisations already in the registry."""
    parsed = Parsed()
    seen = set()
    for number, row in enumerate(organisations, start=1):
        where = _("organisation %(n)s") % {"n": number}
        if not isinstance(row, dict):
            parsed.errors.append((where, _("each organisation must be an object")))
            continue
        clean = check_organisation(row, where, parsed.errors)
        if clean:
            if clean["key"] in seen:
                parsed.errors.append(
                    (where, _("the key “%(key)s” appears twice") % {"key": clean["key"]})
                )
            seen.add(clean["key"])
            parsed.organisations.append(clean)
    known = seen | set(known_keys)
    for number, row in enumerate(events, start=1):
        where = _("event %(n)s") % {"n": number}
        if not isinstance(row, dict):
            parsed.errors.append((where, _("each event must be an object")))
            continue
        clean = check_event(row, where, parsed.errors)
        if clean is None:
            continue
        unknown = [k for k in clean["participants"] + [clean["organiser"]] if k and k not in known]
        if unknown:
            parsed.errors.append(
                (where, _("unknown organisation keys: %(keys)s") % {"keys": ", ".join(unknown)})
            )
            continue
        parsed.events.append(clean)
    return parsed


def parse_json(content: bytes, known_keys=frozenset()) -> Parsed:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return Parsed(errors=[(_("file"), _("this is not a JSON file"))])
    if not isinstance(data, dict) or not isinstance(data.get("organisations"), list):
        return Parsed(errors=[(_("file"), _("the file has no list of “organisations”"))])
    events = data.get("events") or []
    if not isinstance(events, list):
        return Parsed(errors=[(_("file"), _("“events” must be a list"))])
    return check(data["organisations"], events, known_keys)


def _sheet_rows(sheet, columns):
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        return []
    headers = [_text(h).lower() for h in rows[0]]
    return [
        {name: row[headers.index(name)] if name in headers and headers.index(name) < len(row)
         else None for name in columns}
        for row in rows[1:]
        if any(_text(v) for v in row)
    ]  # fmt: skip


def parse_workbook(content: bytes, known_keys=frozenset()) -> Parsed:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return Parsed(errors=[(_("file"), _("this is not an Excel workbook (.xlsx)"))])
    names = {name.lower(): name for name in workbook.sheetnames}
    if "organisations" not in names:
        return Parsed(errors=[(_("file"), _("the workbook has no “organisations” sheet"))])
    organisations = _sheet_rows(workbook[names["organisations"]], ORGANISATION_COLUMNS)
    events = _sheet_rows(workbook[names["events"]], EVENT_COLUMNS) if "events" in names else []
    return check(organisations, events, known_keys)


def parse(content: bytes, filename: str, known_keys=frozenset()) -> Parsed:
    if filename.lower().endswith(".json"):
        return parse_json(content, known_keys)
    if filename.lower().endswith(".xlsx"):
        return parse_workbook(content, known_keys)
    return Parsed(errors=[(_("file"), _("upload a .json or .xlsx file"))])
