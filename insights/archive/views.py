"""The programme's archive: every call by academic year, with its status and key figures."""

from django.shortcuts import render

from commissions.access import programme_view
from insights.archive.figures import archive_rows


@programme_view
def archive(request, programme):
    return render(
        request,
        "insights/archive/archive.html",
        {"programme": programme, "rows": archive_rows(programme)},
    )
