"""One date style per language, in two named styles (Django's FORMAT_MODULE_PATH).

* long, for key dates and sentences: ``DATE_FORMAT`` (with the weekday) and
  ``DATETIME_FORMAT`` (the same with the time);
* short, for tables and lists: ``SHORT_DATE_FORMAT`` and ``SHORT_DATETIME_FORMAT``.

Templates write ``{{ value|date:"DATE_FORMAT" }}`` or ``|date:"SHORT_DATE_FORMAT"``, code calls
``django.utils.formats.date_format(value, "DATE_FORMAT")``: never a literal pattern such as
"d/m" or "l j F Y". ``EXCEL_DATETIME_FORMAT`` is the short style for workbook cells.
"""

from django.utils import formats


def excel_datetime_format():
    """The short style as an Excel number format, in the active language."""
    for module in formats.get_format_modules():
        value = getattr(module, "EXCEL_DATETIME_FORMAT", None)
        if value:
            return value
    return "yyyy-mm-dd hh:mm"


def excel_date_format():
    """The short style without the time, for cells that hold a date alone (no "00:00")."""
    return excel_datetime_format().replace(" hh:mm", "").strip()
