"""The follow-up board as a workbook: a row per team, a column per step, coloured by status."""

import re

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from mias.excel import local_naive, workbook_bytes, write_sheet
from teams.follow import milestones
from teams.follow.following import STATUS_LABELS

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


# Background colours of the follow-up board, per status (also the page's colours).
STATUS_FILLS = {
    milestones.DONE: "C6EFCE",
    milestones.LATE: "FFC7CE",
    milestones.DUE_SOON: "FFEB9C",
    milestones.UPCOMING: "FFFFFF",
}


def board_workbook(call, board):
    """The cohort board: one row per team, one column per step, coloured by status.

    Each step's cell is the team's due date, shown with its status ("Late · 01/10/2026")
    through the cell's number format and coloured by status; then the institutions'
    feedback for the end-of-year review.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Follow-up")[:31]
    fixed = [_("Reference"), _("Commission"), _("Institution"), _("Supervisor"), _("Students")]
    headers = fixed + [c["label"] for c in board["columns"]]
    rows, statuses = [], []
    for row in board["rows"]:
        team = row["team"]
        # A real date per step (sortable, filterable), its status in the cell's format and fill.
        cells = [m.due_day if m is not None else None for m in row["cells"]]
        statuses.append([m.status if m is not None else None for m in row["cells"]])
        rows.append(
            [
                team.commission.reference,
                team.commission.title,
                team.commission.institution.name,
                team.supervisor.name if team.supervisor else "",
                team.size,
                *cells,
            ]
        )
    write_sheet(sheet, headers, rows, widths={2: 40, 3: 30})
    formats = {
        status: '"{}" · dd/mm/yyyy'.format(str(label).replace('"', ""))
        for status, label in STATUS_LABELS.items()
    }
    for r, row_statuses in enumerate(statuses, start=2):
        for c, status in enumerate(row_statuses, start=len(fixed) + 1):
            if status is None:
                continue
            cell = sheet.cell(row=r, column=c)
            cell.number_format = formats[status]
            colour = STATUS_FILLS[status]
            cell.fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
    for index in range(len(fixed) + 1, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 22
    feedback = workbook.create_sheet(_("Institution feedback")[:31])
    write_sheet(
        feedback,
        [
            _("Reference"),
            _("Commission"),
            _("Usefulness (1-5)"),
            _("What to improve"),
            _("Comments"),
            _("Submitted at"),
        ],  # fmt: skip
        [
            [
                f.team.commission.reference,
                f.team.commission.title,
                f.usefulness,
                f.improve,
                f.comments,
                local_naive(f.updated_at),
            ]
            for f in board["feedback"]
        ],
        widths={2: 40, 4: 60, 5: 60},
    )
    return workbook_bytes(workbook)
