"""The teams workbook: one row per student, then one sheet per team with its contacts."""

import re

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from commissions.exports import UNWRITABLE, local_naive, safe, workbook_bytes, write_sheet
from teams import milestones
from teams.following import STATUS_LABELS
from teams.models import Preference, Student, Team

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(text, taken):
    base = _SHEET_FORBIDDEN.sub(" ", UNWRITABLE.sub("", text)).strip(" '")[:28] or "?"
    title, n = base, 2
    while title.lower() in taken:
        title, n = f"{base[:25]} ({n})", n + 1
    taken.add(title.lower())
    return title


def _student_row(student, team, ranks):
    """One line of the students sheet; a student without a team says so."""
    commission = team.commission if team else None
    supervisor = team.supervisor if team else None
    return [
        student.user.last_name,
        student.user.first_name,
        student.email,
        student.prior_studies,
        ", ".join(student.languages or []),
        commission.reference if commission else "",
        commission.title if commission else _("(no team)"),
        commission.institution.name if commission else "",
        ranks.get((student.pk, commission.pk)) if commission else None,
        supervisor.name if supervisor else "",
        supervisor.email if supervisor else "",
    ]


def teams_workbook(call):
    teams = list(Team.objects.filter(call=call).for_board().with_members())
    ranks = Preference.objects.ranks(call)
    workbook = Workbook()
    sheet = workbook.active
    taken = set()
    sheet.title = _sheet_title(_("Students"), taken)
    headers = [
        _("Last name"),
        _("First name"),
        _("E-mail"),
        _("Prior studies"),
        _("Languages"),
        _("Reference"),
        _("Commission"),
        _("Institution"),
        _("Choice obtained"),
        _("Supervisor"),
        _("Supervisor's e-mail"),
    ]
    rows = [_student_row(s, team, ranks) for team in teams for s in team.members.all()]
    unplaced = Student.objects.filter(call=call, team__isnull=True).for_listing()
    rows += [_student_row(s, None, ranks) for s in unplaced]
    write_sheet(sheet, headers, rows)
    for team in teams:
        c = team.commission
        ws = workbook.create_sheet(_sheet_title(f"{c.reference} {c.title}", taken))
        facts = [
            (_("Commission"), c.title),
            (_("Institution"), c.institution.name),
            (_("Contact"), f"{c.contact_name}, {c.contact_role}"),
            (_("Contact e-mail"), c.contact_email),
            (_("Contact phone"), c.contact_phone),
            (_("Supervisor"), team.supervisor.name if team.supervisor else ""),
            (_("Supervisor's e-mail"), team.supervisor.email if team.supervisor else ""),
        ]
        for label, value in facts:
            ws.append([safe(label), safe(value)])
            ws.cell(ws.max_row, 1).font = Font(bold=True)
        ws.append([])
        ws.append(
            [safe(h) for h in (_("Student"), _("E-mail"), _("Prior studies"), _("Choice obtained"))]
        )
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for s in team.members.all():
            ws.append([safe(s.name), safe(s.email), safe(s.prior_studies), ranks.get((s.pk, c.pk))])
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 40
        ws.column_dimensions["C"].width = 28
    return workbook_bytes(workbook)


# Background colours of the follow-up board, per status (also the page's colours).
STATUS_FILLS = {
    milestones.DONE: "C6EFCE",
    milestones.LATE: "FFC7CE",
    milestones.DUE_SOON: "FFEB9C",
    milestones.UPCOMING: "FFFFFF",
}


def board_workbook(call, board):
    """The cohort board: one row per team, one column per step, coloured by status.

    The colours are Excel conditional formats on the status words, so they follow when a
    coordinator edits a cell; then the institutions' feedback for the end-of-year review.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Follow-up")[:31]
    fixed = [_("Reference"), _("Commission"), _("Institution"), _("Supervisor"), _("Students")]
    headers = fixed + [c["label"] for c in board["columns"]]
    rows = []
    for row in board["rows"]:
        team = row["team"]
        cells = []
        for m in row["cells"]:
            if m is None:
                cells.append("")
            else:
                cells.append(f"{STATUS_LABELS[m.status]} · {m.due_day:%d/%m/%Y}")
        rows.append(
            [
                team.commission.reference,
                team.commission.title,
                team.commission.institution.name,
                team.supervisor.name if team.supervisor else "",
                len(team.members.all()),
                *cells,
            ]
        )
    write_sheet(sheet, headers, rows, widths={2: 40, 3: 30})
    if rows and board["columns"]:
        first = get_column_letter(len(fixed) + 1)
        last = get_column_letter(len(headers))
        area = f"{first}2:{last}{len(rows) + 1}"
        for status, colour in STATUS_FILLS.items():
            word = str(STATUS_LABELS[status]).replace('"', "")
            sheet.conditional_formatting.add(
                area,
                FormulaRule(
                    formula=[f'LEFT({first}2,{len(word)})="{word}"'],
                    fill=PatternFill(start_color=colour, end_color=colour, fill_type="solid"),
                    stopIfTrue=True,
                ),
            )
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
