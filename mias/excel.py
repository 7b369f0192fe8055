"""Writing Excel workbooks (openpyxl): styled headers, formula-safe text, downloads.

Shared by every app's exports; imports no app."""

import re
import zipfile
from datetime import datetime
from io import BytesIO
from xml.parsers import expat

from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from mias.formats import excel_date_format, excel_datetime_format

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
                cell.number_format = excel_datetime_format()
            elif hasattr(cell.value, "year"):  # a date alone: no "00:00"
                cell.number_format = excel_date_format()
    # The wrapped header gets its own height, so that it does not overlap the first line.
    longest = max((len(str(h)) for h in headers), default=0)
    sheet.row_dimensions[1].height = 15 * min(4, 1 + longest // 25)
    print_setup(sheet)


# --- Reading: what a workbook may cost before openpyxl opens it -----------------------------

_CHUNK = 64 * 1024


class WorkbookTooCostly(ValueError):
    """A part of the workbook is too large, or a row too wide; `code` and `limit` say which."""

    def __init__(self, code, limit):
        super().__init__(code)
        self.code, self.limit = code, limit


def check_workbook_cost(data, max_part_bytes, max_cells_per_row):
    """Refuse, before any parsing library builds it in memory, a workbook whose parts unpack
    to more than max_part_bytes each (declared or really), or which has a row of more than
    max_cells_per_row cells. The sheets are streamed: memory stays small whatever they hold.

    Raises WorkbookTooCostly; zipfile.BadZipFile and expat errors mean "not a workbook".
    """
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.file_size > max_part_bytes:
                raise WorkbookTooCostly("sheet_too_large", max_part_bytes)
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                _scan_sheet(archive, info, max_part_bytes, max_cells_per_row)


def _scan_sheet(archive, info, max_bytes, max_cells):
    cells = 0

    def start(name, _attributes):
        nonlocal cells
        local = name.rsplit(" ", 1)[-1]
        if local == "c":
            cells += 1
            if cells > max_cells:
                raise WorkbookTooCostly("row_too_wide", max_cells)
        elif local == "row":
            cells = 0

    def no_entities(*_args):
        raise WorkbookTooCostly("not_excel", 0)

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EntityDeclHandler = no_entities
    read = 0
    with archive.open(info) as stream:  # the declared size may lie: count what comes out
        while chunk := stream.read(_CHUNK):
            read += len(chunk)
            if read > max_bytes:
                raise WorkbookTooCostly("sheet_too_large", max_bytes)
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
