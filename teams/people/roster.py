"""Roster workbooks (openpyxl): read and check a list of students or supervisors, plan what
confirming it would change, build the template. Plain data in, plain data out: no database.

A parse gives normalised rows and errors as JSON-ready dicts; an error keeps a code and its
parameters, not a sentence, so that the report reads in whichever language is active.
"""

import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from commissions.models import Commission
from mias.excel import WorkbookTooCostly, check_workbook_cost, safe, workbook_bytes, write_sheet
from mias.validators import clean_line, clean_text

STUDENTS, SUPERVISORS = "students", "supervisors"
MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 60 * 1024 * 1024  # a zip bomb stays a small upload: check what it unpacks to
MAX_ROWS = 5000
MAX_SCAN = 4 * MAX_ROWS  # raw rows read after the header, blank ones included
MAX_COLS = 40
# Each part of the workbook (a sheet, the shared strings) unpacks to at most this, and a row
# holds at most so many cells: a 149 KB file with one row of 1.9 million cells took 54 CPU
# seconds and 2 GB before these checks. 5,000 people in 40 columns stay well below both.
MAX_PART_UNPACKED = 20 * 1024 * 1024
MAX_CELLS_PER_ROW = 1000
HEADER_SCAN = 20  # the header may sit below a title or a blank line
MAX_ERRORS = 500
MAX_CAPACITY = 50

# field -> (label, header aliases). Aliases are compared without case, accents, punctuation,
# spaces or anything in brackets, so "Capacité (équipes)" and "CAPACITY" both match.
FIELDS = {
    "first_name": (
        gettext_lazy("First name"),
        ("prénom", "prénoms", "first name", "given name", "voornaam", "vorname"),
    ),
    "last_name": (
        gettext_lazy("Last name"),
        ("nom", "nom de famille", "last name", "surname", "family name", "achternaam"),
    ),
    "email": (
        gettext_lazy("E-mail"),
        ("e-mail", "courriel", "mail", "adresse e-mail", "adresse électronique", "e-mail address"),
    ),
    "prior_studies": (
        gettext_lazy("Prior studies"),
        ("études antérieures", "études", "prior studies", "previous studies", "studies"),
    ),
    "languages": (gettext_lazy("Languages"), ("langues", "langue", "languages", "language")),
    "notes": (
        gettext_lazy("Notes"),
        ("remarques", "remarque", "notes", "note", "commentaires", "comments"),
    ),
    "sectors": (
        gettext_lazy("Expertise sectors"),
        ("expertise", "secteurs", "secteur", "secteurs d'expertise", "sectors", "sector"),
    ),
    "capacity": (
        gettext_lazy("Capacity (teams)"),
        ("capacité", "capacity", "nombre d'équipes", "number of teams"),
    ),
}
# kind -> [(field, required column)]
COLUMNS = {
    STUDENTS: [
        ("first_name", True),
        ("last_name", True),
        ("email", True),
        ("prior_studies", True),
        ("languages", True),
        ("notes", False),
    ],
    SUPERVISORS: [
        ("first_name", True),
        ("last_name", True),
        ("email", True),
        ("sectors", True),
        ("capacity", True),
    ],
}
MAX_LENGTHS = {"first_name": 150, "last_name": 150, "prior_studies": 200, "notes": 2000}
# What confirming compares with the person already there. Names are not: an import never
# renames an existing account (the person, or a coordinator in the admin, does).
COMPARED = {
    STUDENTS: ["prior_studies", "languages", "notes"],
    SUPERVISORS: ["sectors", "capacity"],
}

LANGUAGE_ALIASES = {
    "fr": ("fra", "fre", "french", "français", "frans", "französisch"),
    "nl": ("nld", "dut", "dutch", "néerlandais", "nederlands", "flamand", "flemish", "vlaams"),
    "de": ("deu", "ger", "german", "allemand", "deutsch", "duits"),
    "en": ("eng", "english", "anglais", "engels", "englisch"),
    "lb": ("lu", "ltz", "lux", "luxembourgish", "luxembourgeois", "lëtzebuergesch"),
    "other": ("autre", "autres", "others"),
}
CONJUNCTIONS = {"et", "and", "und"}

EXAMPLE_EMAILS = {
    STUDENTS: "camille.exemple@example.org",
    SUPERVISORS: "dominique.exemple@example.org",
}

MESSAGES = {
    "empty_file": gettext_lazy("The file is empty."),
    "too_large": gettext_lazy("The file is too large (%(size)s): the limit is %(limit)s."),
    "not_excel": gettext_lazy(
        "This file cannot be read as an Excel workbook (.xlsx): it may be in another format "
        "(.xls, .csv, .ods), incomplete or damaged. Save it as .xlsx from Excel or LibreOffice "
        "and upload it again."
    ),
    "no_header": gettext_lazy(
        "No header row found in the first %(rows)d rows: one row must name the columns "
        "(%(columns)s)."
    ),
    "missing_columns": gettext_lazy("Missing column: %(columns)s."),
    "duplicate_column": gettext_lazy(
        "The column %(column)s appears twice (columns %(first)s and %(second)s)."
    ),
    "no_rows": gettext_lazy("The file has a header row but nobody listed below it."),
    "too_large_unpacked": gettext_lazy(
        "Once unpacked, this workbook is too large (over %(limit)s): keep only the list."
    ),
    "sheet_too_large": gettext_lazy(
        "Once unpacked, a sheet of this workbook is too large (over %(limit)s): copy the "
        "list alone to a new workbook."
    ),
    "row_too_wide": gettext_lazy(
        "A row of this workbook has more than %(limit)d cells: delete the columns to the right "
        "of the list, or copy the list alone to a new workbook."
    ),
    "too_many_rows": gettext_lazy("Too many rows: at most %(limit)d people per file."),
    "sheet_too_long": gettext_lazy(
        "The sheet goes on for more than %(limit)d rows below the header: delete the empty "
        "rows at the end, or copy the list to a new sheet."
    ),
    "staff_account": gettext_lazy(
        "%(value)s is a staff account (a coordinator or an administrator): it cannot be "
        "enrolled from a roster."
    ),
    "other_programme": gettext_lazy(
        "%(value)s is an account of another programme: it cannot be enrolled from this roster."
    ),
    "more_errors": gettext_lazy("… and %(count)d more errors not shown."),
    "required": gettext_lazy("This cell is empty: a value is required."),
    "too_long": gettext_lazy("Too long: %(length)d characters, at most %(limit)d."),
    "invalid_email": gettext_lazy("“%(value)s” is not a valid e-mail address."),
    "duplicate_email": gettext_lazy("The e-mail %(value)s is already on row %(first)d."),
    "example_row": gettext_lazy("This is the template's example row: replace or delete it."),
    "unknown_language": gettext_lazy("Unknown language “%(value)s”. Allowed: %(allowed)s."),
    "unknown_sector": gettext_lazy("Unknown sector “%(value)s”. Known sectors: %(known)s."),
    "not_integer": gettext_lazy("“%(value)s” is not a whole number."),
    "not_positive": gettext_lazy("Must be at least 1, not %(value)s."),
    "too_big": gettext_lazy("At most %(limit)d."),
}


@dataclass
class Parsed:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def label(name):
    return FIELDS[name][0]


def _key(text):
    """Compare headers and names without case, accents, brackets, punctuation or spaces."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", text.lower())
    return "".join(re.findall(r"[a-z0-9]+", text))


def _file_error(code, **params):
    return {"row": None, "column": "", "code": code, "params": params}


def _error(row, column, code, **params):
    return {"row": row, "column": column, "code": code, "params": params}


def describe(error):
    """The sentence for one stored error, in the active language."""
    params = dict(error.get("params") or {})
    code = error.get("code")
    if code in ("too_large", "too_large_unpacked", "sheet_too_large"):
        params = {k: filesizeformat(v) for k, v in params.items()}
    elif code in ("missing_columns", "no_header"):
        columns = params.get("columns", ())
        params["columns"] = ", ".join(str(label(f)) for f in columns)
        if code == "missing_columns" and len(columns) > 1:
            return _("Missing columns: %(columns)s.") % params
    elif code == "duplicate_column":
        params["column"] = str(label(params["column"]))
    elif code == "unknown_language":
        params["allowed"] = _allowed_languages()
    message = MESSAGES.get(code)
    if message is None:
        return str(code)
    try:
        return str(message) % params
    except (KeyError, TypeError, ValueError):
        return str(message)


# --------------------------------------------------------------------------- reading


def _header_aliases(kind):
    aliases = {}
    for name, _required in COLUMNS[kind]:
        names = list(FIELDS[name][1])
        # The template's own headers, in every language of the site, always match back.
        for code, _language in settings.LANGUAGES:
            with translation.override(code):
                names.append(str(label(name)))
        for alias in names:
            aliases[_key(alias)] = name
    return aliases


def _present(value):
    return value is not None and str(value).strip() != ""


def _header_fields(values, aliases):
    return [aliases.get(_key(v)) if _present(v) else None for v in values]


def _looks_like_header(fields):
    found = [f for f in fields if f]
    return "email" in found or len(set(found)) >= 2


@dataclass
class _Sheet:
    header_row: int
    fields: list
    body: list  # [(row number, values)]
    too_many: str = ""  # why the reading stopped early: an error code


def _read(data, aliases):
    """The first sheet with a header row, its columns and non-blank rows; or (None, any cell)."""
    workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    seen_any = False
    try:
        for sheet in workbook.worksheets:
            # Files saved by some tools declare a wrong size: read what is really there.
            sheet.reset_dimensions()
            found, fields_at = None, []
            for number, values in enumerate(
                sheet.iter_rows(max_col=MAX_COLS, values_only=True), start=1
            ):
                if found is None:
                    if number > HEADER_SCAN:
                        break
                    if any(_present(v) for v in values):
                        seen_any = True
                        fields = _header_fields(values, aliases)
                        if _looks_like_header(fields):
                            found = _Sheet(number, fields, [])
                            fields_at = list(enumerate(fields))
                    continue
                if number - found.header_row > MAX_SCAN:
                    found.too_many = "sheet_too_long"
                    break
                # A row with something only in columns we do not read (a total, a footnote
                # on the side) is no one.
                if any(f and i < len(values) and _present(values[i]) for i, f in fields_at):
                    if len(found.body) >= MAX_ROWS:
                        found.too_many = "too_many_rows"
                        break
                    found.body.append((number, tuple(values)))
            if found is not None:
                return found, True
        return None, seen_any
    finally:
        workbook.close()


def _unpacked_size(data):
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return sum(info.file_size for info in archive.infolist())


def parse(kind, data, sectors=(), size=None):
    """Check an uploaded workbook: Parsed(rows, errors), rows normalised for `plan`.

    sectors: [(pk, name)] of the known sectors. Any error means nothing may be applied.
    """
    size = len(data) if size is None else size
    if not size:
        return Parsed(errors=[_file_error("empty_file")])
    if size > MAX_BYTES or len(data) > MAX_BYTES:
        return Parsed(errors=[_file_error("too_large", size=size, limit=MAX_BYTES)])
    aliases = _header_aliases(kind)
    try:
        if _unpacked_size(data) > MAX_UNPACKED:
            return Parsed(errors=[_file_error("too_large_unpacked", limit=MAX_UNPACKED)])
        check_workbook_cost(data, MAX_PART_UNPACKED, MAX_CELLS_PER_ROW)
        sheet, seen_any = _read(data, aliases)
    except WorkbookTooCostly as refused:
        return Parsed(errors=[_file_error(refused.code, limit=refused.limit)])
    except Exception:  # openpyxl fails in many ways on a bad file; all mean the same here
        return Parsed(errors=[_file_error("not_excel")])
    if sheet is None:
        if not seen_any:
            return Parsed(errors=[_file_error("empty_file")])
        required = [name for name, needed in COLUMNS[kind] if needed]
        return Parsed(errors=[_file_error("no_header", rows=HEADER_SCAN, columns=required)])
    errors = _check_header(kind, sheet.fields)
    if errors:
        return Parsed(errors=errors)
    if sheet.too_many:
        limit = MAX_ROWS if sheet.too_many == "too_many_rows" else MAX_SCAN
        return Parsed(errors=[_file_error(sheet.too_many, limit=limit)])
    if not sheet.body:
        return Parsed(errors=[_file_error("no_rows")])
    return _check_rows(kind, sheet, sectors)


def _check_header(kind, fields):
    errors, first = [], {}
    for index, name in enumerate(fields):
        if name is None:
            continue
        if name in first:
            errors.append(
                _file_error(
                    "duplicate_column",
                    column=name,
                    first=get_column_letter(first[name] + 1),
                    second=get_column_letter(index + 1),
                )
            )
        else:
            first[name] = index
    missing = [name for name, needed in COLUMNS[kind] if needed and name not in first]
    if missing:
        errors.insert(0, _file_error("missing_columns", columns=missing))
    return errors


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _clean_text(name, value, required):
    text = _text(value)
    if name != "notes":
        text = " ".join(clean_line(text).split())
    else:
        text = clean_text(text)
    if not text:
        return text, [("required", {})] if required else []
    limit = MAX_LENGTHS[name]
    if len(text) > limit:
        return text, [("too_long", {"length": len(text), "limit": limit})]
    return text, []


def _clean_email(value):
    text = _text(value)
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip().lower()
    if not text:
        return text, [("required", {})]
    try:
        if len(text) > 254:
            raise ValidationError("too long")
        validate_email(text)
    except ValidationError:
        return text, [("invalid_email", {"value": text[:100]})]
    return text, []


def _language_table():
    table = {}
    for code, label_ in Commission.Language.choices:
        names = (code, *LANGUAGE_ALIASES.get(code, ()))
        for language_code, _language in settings.LANGUAGES:
            with translation.override(language_code):
                names += (str(label_),)
        for name in names:
            table[_key(name)] = code
    return table


def _allowed_languages():
    return ", ".join(f"{code} ({label_})" for code, label_ in Commission.Language.choices)


def _clean_languages(value, table):
    codes, problems = [], []
    for piece in re.split(r"[;,/|+&\n]+", _text(value)):
        piece = piece.strip()
        if not piece:
            continue
        regional = re.fullmatch(r"([A-Za-z]{2})[-_][A-Za-z]{2}", piece)
        if regional:
            piece = regional.group(1)
        code = table.get(_key(piece))
        words = [code] if code else [w for w in piece.split() if w.lower() not in CONJUNCTIONS]
        for word in words:
            code = word if word in table.values() else table.get(_key(word))
            if code is None:
                problems.append(("unknown_language", {"value": word[:50]}))
            elif code not in codes:
                codes.append(code)
    if not codes and not problems:
        problems.append(("required", {}))
    return codes, problems


def _clean_sectors(value, table, known):
    text = _text(value)
    picked, problems = [], []
    for chunk in text.split(";"):
        whole = table.get(_key(chunk))
        # A name with a comma in it still matches when the cell separates with ";".
        pieces = [chunk] if whole or not chunk.strip() else chunk.split(",")
        for piece in pieces:
            if not piece.strip():
                continue
            sector = table.get(_key(piece))
            if sector is None:
                problems.append(("unknown_sector", {"value": piece.strip()[:80], "known": known}))
            elif sector not in picked:
                picked.append(sector)
    return picked, problems


def _clean_capacity(value):
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float):
        number = int(value) if value.is_integer() else None
    else:
        text = _text(value)
        if not text:
            return None, [("required", {})]
        match = re.fullmatch(r"\+?(\d{1,6})(?:[.,]0+)?", text)
        number = int(match.group(1)) if match else None
    if number is None:
        return None, [("not_integer", {"value": _text(value)[:50]})]
    if number < 1:
        return None, [("not_positive", {"value": number})]
    if number > MAX_CAPACITY:
        return None, [("too_big", {"limit": MAX_CAPACITY})]
    return number, []


def _check_rows(kind, sheet, sectors):
    languages = _language_table()
    sector_table = {_key(name): (pk, name) for pk, name in sectors}
    known = ", ".join(name for _pk, name in sectors) or "—"
    index = {name: i for i, name in enumerate(sheet.fields) if name}
    rows, errors, first_row = [], [], {}
    for number, values in sheet.body:

        def cell(name, values=values):
            i = index.get(name)
            return values[i] if i is not None and i < len(values) else None

        row, problems = {"row": number}, []
        for name, _required in COLUMNS[kind]:
            if name == "email":
                value, found = _clean_email(cell(name))
                if not found and value in first_row:
                    found = [("duplicate_email", {"value": value, "first": first_row[value]})]
                elif not found and value == EXAMPLE_EMAILS[kind]:
                    found = [("example_row", {})]
                elif not found:
                    first_row[value] = number
            elif name == "languages":
                value, found = _clean_languages(cell(name), languages)
            elif name == "sectors":
                picked, found = _clean_sectors(cell(name), sector_table, known)
                row["sector_ids"] = [pk for pk, _name in picked]
                value = [name_ for _pk, name_ in picked]
            elif name == "capacity":
                value, found = _clean_capacity(cell(name))
            else:
                value, found = _clean_text(name, cell(name), name != "notes")
            row[name] = value
            problems += [_error(number, name, code, **params) for code, params in found]
        if problems:
            errors += problems
        else:
            rows.append(row)
    if len(errors) > MAX_ERRORS:
        errors = errors[:MAX_ERRORS] + [_file_error("more_errors", count=len(errors) - MAX_ERRORS)]
    return Parsed(rows=rows, errors=errors)


# --------------------------------------------------------------------------- planning


def _display(name, values):
    value = values.get(name)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _same(name, row, current):
    if name == "sectors":
        return sorted(row.get("sector_ids", [])) == sorted(current.get("sector_ids", []))
    return row.get(name) == current.get(name)


def plan(kind, rows, existing):
    """What confirming would do, row by row, against the people already in the call.

    existing maps a lower-case e-mail to that person's values (the keys of a row, plus
    "invited"). Returns (entries, counts): each entry has the row, its action (create,
    update, unchanged), the changes [{field, old, new}] and whether it will be invited.
    """
    entries, counts = [], Counter()
    for row in rows:
        current = existing.get(row["email"])
        if current is None:
            action, changes = "create", []
        else:
            changes = [
                {"field": name, "old": _display(name, current), "new": _display(name, row)}
                for name in COMPARED[kind]
                if not _same(name, row, current)
            ]
            action = "update" if changes else "unchanged"
        invite = current is None or not current.get("invited")
        entries.append({"row": row, "action": action, "changes": changes, "invite": invite})
        counts[action] += 1
        counts["invite"] += invite
    return entries, {k: counts[k] for k in ("create", "update", "unchanged", "invite")}


# --------------------------------------------------------------------------- template


def _examples(kind, sectors):
    common = {"first_name": "Camille", "last_name": _("Example"), "notes": ""}
    if kind == STUDENTS:
        return {
            **common,
            "email": EXAMPLE_EMAILS[STUDENTS],
            "prior_studies": _("Bachelor in social work"),
            "languages": "fr; en",
        }
    return {
        **common,
        "first_name": "Dominique",
        "email": EXAMPLE_EMAILS[SUPERVISORS],
        "sectors": "; ".join(sectors[:2]),
        "capacity": 2,
    }


HELP = {
    "first_name": gettext_lazy("The person's first name."),
    "last_name": gettext_lazy("The person's last name."),
    "email": gettext_lazy(
        "Their e-mail address. It identifies the person: importing a corrected file again "
        "updates them instead of adding them twice."
    ),
    "prior_studies": gettext_lazy("The studies completed before the master's programme."),
    "languages": gettext_lazy(
        "The languages they can work in, as codes or names separated by commas or "
        "semicolons (see the list below)."
    ),
    "notes": gettext_lazy("Optional remarks for the coordinators."),
    "sectors": gettext_lazy(
        "The sectors they know, named as in the list below and separated by semicolons. "
        "May be empty."
    ),
    "capacity": gettext_lazy("How many teams they can supervise: a whole number, at least 1."),
}
WIDTHS = {
    "first_name": 18,
    "last_name": 22,
    "email": 34,
    "prior_studies": 40,
    "languages": 18,
    "notes": 40,
    "sectors": 50,
    "capacity": 16,
}


def template_workbook(kind, title, sectors):
    """The template to fill in, headed in the active language, with a help sheet: bytes."""
    names = [name for name, _required in COLUMNS[kind]]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(title)[:31]
    example = _examples(kind, sectors)
    write_sheet(
        sheet,
        [str(label(n)) for n in names],
        [[example.get(n, "") for n in names]],
        widths={i: WIDTHS[n] for i, n in enumerate(names, start=1)},
    )
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="808080")
    if "capacity" in names:
        letter = sheet.cell(row=1, column=names.index("capacity") + 1).column_letter
        check = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="1")
        check.error = _("A whole number, at least 1.")
        check.showErrorMessage = True
        sheet.add_data_validation(check)
        check.add(f"{letter}2:{letter}{MAX_ROWS + 1}")

    help_sheet = workbook.create_sheet(_("Help")[:31])
    write_sheet(
        help_sheet,
        [_("Column"), _("Required"), _("What to write")],
        [
            [str(label(n)), _("yes") if required else _("no"), str(HELP[n])]
            for n, required in COLUMNS[kind]
        ],
        widths={1: 24, 2: 12, 3: 90},
    )
    bold = Font(bold=True)
    lines = [
        [],
        [
            _(
                "One person per row, from the second row on. Replace the grey example row. "
                "Columns may come in any order; French or English column names are both "
                "recognised. Nothing is written until you confirm, and only if every row is "
                "correct. People missing from a new file are not removed."
            )
        ],
        [],
    ]
    for line in lines:
        help_sheet.append([safe(v) for v in line])
    if kind == STUDENTS:
        help_sheet.append([_("Allowed languages"), _("Code")])
        help_sheet.cell(row=help_sheet.max_row, column=1).font = bold
        for code, language in Commission.Language.choices:
            help_sheet.append([safe(str(language)), code])
    else:
        help_sheet.append([_("Sectors")])
        help_sheet.cell(row=help_sheet.max_row, column=1).font = bold
        for name in sectors:
            help_sheet.append([safe(name)])
    return workbook_bytes(workbook)
