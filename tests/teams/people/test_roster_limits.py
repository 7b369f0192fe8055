"""A roster workbook costs bounded time and memory, whatever its cells: wide rows and parts
that unpack to too much are refused before openpyxl builds them."""

import io
import time
import zipfile
from io import BytesIO

from django.utils import translation
from openpyxl import Workbook

from teams.people import roster

HEADER = ["Prénom", "Nom", "E-mail", "Études antérieures", "Langues", "Remarques"]
ROW = ["Anne", "Dupont", "anne@uni.example", "Droit", "fr", ""]


def _book():
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(ROW)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _with_sheet(data, transform):
    """The workbook with its first sheet's XML passed through transform(xml) -> xml."""
    source = zipfile.ZipFile(BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = transform(content)
            target.writestr(info.filename, content)
    return out.getvalue()


def _wide_row(cells):
    row = b'<row r="3">' + b"<c><v>1</v></c>" * cells + b"</row>"
    return lambda xml: xml.replace(b"</sheetData>", row + b"</sheetData>")


def test_a_normal_roster_still_reads():
    parsed = roster.parse("students", _book())
    assert parsed.errors == [] and parsed.rows[0]["email"] == "anne@uni.example"


def test_a_row_of_hundreds_of_thousands_of_cells_is_refused_fast():
    data = _with_sheet(_book(), _wide_row(300_000))
    assert len(data) < 200_000  # a small upload…
    started = time.perf_counter()
    errors = roster.parse("students", data).errors
    assert time.perf_counter() - started < 3  # …refused without building the row
    assert [e["code"] for e in errors] == ["row_too_wide"]
    with translation.override("en"):
        assert roster.describe(errors[0]) == (
            f"A row of this workbook has more than {roster.MAX_CELLS_PER_ROW} cells: delete the "
            "columns to the right of the list, or copy the list alone to a new workbook."
        )


def test_a_sheet_that_unpacks_to_too_much_is_refused(monkeypatch):
    data = _with_sheet(_book(), _wide_row(500))
    monkeypatch.setattr(roster, "MAX_PART_UNPACKED", 5000)
    errors = roster.parse("students", data).errors
    assert [e["code"] for e in errors] == ["sheet_too_large"]
    with translation.override("en"):
        assert "a sheet of this workbook is too large (over 4.9" in roster.describe(errors[0])


def test_entity_declarations_are_not_expanded():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    data = _with_sheet(_book(), lambda xml: bomb + xml.split(b"?>", 1)[-1])
    assert [e["code"] for e in roster.parse("students", data).errors] == ["not_excel"]


def test_control_characters_in_names_are_dropped():
    assert roster._clean_text("first_name", "Anne\u2028\x7fMarie\r\nX", True) == (
        "AnneMarie X",
        [],
    )
