"""The teams workbook: one row per student, then one sheet per team with its contacts."""

import re

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from mias.excel import UNWRITABLE, safe, workbook_bytes, write_sheet
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
