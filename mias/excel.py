"""Writing Excel workbooks (openpyxl): styled headers, formula-safe text, downloads.

Shared by every app's exports; imports no app."""

import re
from datetime import datetime
from io import BytesIO

from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1D5C8C")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# openpyxl refuses control characters; U+FFFE/U+FFFF make a file Excel cannot open.
UNWRITABLE = re.compile(ILLEGAL_CHARACTERS_RE.pattern[:-1] + "\ufffe\uffff]")


def safe(value):
    """Text without the characters XML cannot hold.

    Text that a spreadsheet could run as a formula ("=…", "+32 81…", "-") is kept as typed:
    workbook_bytes stores every such cell as text (type string, quote prefix), so nothing is
    run and no apostrophe shows."""
    if not isinstance(value, str):
        return value
    return UNWRITABLE.sub("", value)


def as_text(cell):
    """Store a cell as text, whatever it starts with: never run, shown as typed."""
    cell.data_type = "s"
    cell.quotePrefix = True


def protect_formulas(workbook):
    """Every cell whose text starts like a formula becomes plain text (the product writes none)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    as_text(cell)


def print_setup(sheet):
    """Landscape, one page wide, the header row repeated on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"


def local_naive(value):
    # Excel has no time zones: write the local wall-clock time.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def workbook_bytes(workbook):
    protect_formulas(workbook)
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
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif hasattr(cell.value, "year"):  # a date alone: no "00:00"
                cell.number_format = "yyyy-mm-dd"
    # The wrapped header gets its own height, so that it does not overlap the first line.
    longest = max((len(str(h)) for h in headers), default=0)
    sheet.row_dimensions[1].height = 15 * min(4, 1 + longest // 25)
    print_setup(sheet)
