"""Writing Excel workbooks (openpyxl): styled headers, formula-safe text, downloads.

Shared by every app's exports; imports no app."""

import re
from io import BytesIO

from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from mias.formats import excel_datetime_format

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1D5C8C")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# openpyxl refuses control characters; U+FFFE/U+FFFF make a file Excel cannot open.
UNWRITABLE = re.compile(ILLEGAL_CHARACTERS_RE.pattern[:-1] + "\ufffe\uffff]")


def safe(value):
    """Text a spreadsheet will never run as a formula, without characters XML cannot hold."""
    if not isinstance(value, str):
        return value
    value = UNWRITABLE.sub("", value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def local_naive(value):
    # Excel has no time zones: write the local wall-clock time.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def workbook_bytes(workbook):
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(content, filename):
    """A workbook to download."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def write_sheet(sheet, headers, rows, widths=None):
    sheet.append([safe(h) for h in headers])
    for cell in sheet[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    for row in rows:
        sheet.append([safe(v) for v in row])
    sheet.freeze_panes = "A2"
    if rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    for index, header in enumerate(headers, start=1):
        width = (widths or {}).get(index)
        if width is None:
            longest = max([len(str(header))] + [len(str(r[index - 1] or "")) for r in rows[:200]])
            width = min(max(10, longest + 2), 60)
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if hasattr(cell.value, "year"):
                cell.number_format = excel_datetime_format()
