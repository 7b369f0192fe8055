"""The teams workbook: one row per student, then one sheet per team with its contacts."""

import re
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from commissions.exports import UNWRITABLE, safe, write_sheet

from .models import Preference, Student, Team

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(text, taken):
    base = _SHEET_FORBIDDEN.sub(" ", UNWRITABLE.sub("", text)).strip(" '")[:28] or "?"
    title, n = base, 2
    while title.lower() in taken:
        title, n = f"{base[:25]} ({n})", n + 1
    taken.add(title.lower())
    return title


def teams_workbook(call):
    teams = list(Team.objects.filter(call=call).for_board().prefetch_related("members__user"))
    ranks = {
        (s, c): r
        for s, c, r in Preference.objects.filter(student__call=call).values_list(
            "student_id", "commission_id", "rank"
        )
    }
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
    rows = []
    for team in teams:
        c = team.commission
        for s in sorted(team.members.all(), key=lambda s: (s.user.last_name, s.user.first_name)):
            rows.append(
                [
                    s.user.last_name,
                    s.user.first_name,
                    s.email,
                    s.prior_studies,
                    ", ".join(s.languages or []),
                    c.reference,
                    c.title,
                    c.institution.name,
                    ranks.get((s.pk, c.pk)),
                    team.supervisor.name if team.supervisor else "",
                    team.supervisor.email if team.supervisor else "",
                ]
            )
    for s in Student.objects.filter(call=call, team__isnull=True).for_listing():
        rows.append(
            [
                s.user.last_name,
                s.user.first_name,
                s.email,
                s.prior_studies,
                ", ".join(s.languages or []),
                "",
                _("(no team)"),
                "",
                None,
                "",
                "",
            ]
        )
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
        for s in sorted(team.members.all(), key=lambda s: (s.user.last_name, s.user.first_name)):
            ws.append([safe(s.name), safe(s.email), safe(s.prior_studies), ranks.get((s.pk, c.pk))])
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 40
        ws.column_dimensions["C"].width = 28
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
