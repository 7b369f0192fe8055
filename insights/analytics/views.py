"""The programme's analytics across years: charts with their readings, tables and downloads."""

from django.http import Http404
from django.shortcuts import render
from openpyxl import Workbook

from commissions.access import programme_view
from insights.analytics import reading, report
from mias.excel import workbook_bytes, write_sheet, xlsx_response


def _charts(request, programme):
    all_years = reading.programme_years(programme)
    first = request.GET.get("from", "")[:9]
    last = request.GET.get("to", "")[:9]
    years = reading.choose_years(all_years, first, last)
    data = reading.figures(programme, years, all_years)
    return years, all_years, report.build(data)


@programme_view
def analytics(request, programme):
    years, all_years, charts = _charts(request, programme)
    query = request.GET.urlencode()
    return render(
        request,
        "insights/analytics/analytics.html",
        {
            "programme": programme,
            "charts": charts,
            "years": years,
            "all_years": all_years,
            "first": years[0] if years else "",
            "last": years[-1] if years else "",
            "query": query,
        },
    )


@programme_view
def download(request, programme, chart):
    years, _all, charts = _charts(request, programme)
    chosen = charts if chart == "all" else [c for c in charts if c.slug == chart]
    if not chosen:
        raise Http404
    book = Workbook()
    book.remove(book.active)
    for c in chosen:
        sheet = book.create_sheet(c.slug[:31])
        write_sheet(sheet, c.headers, c.rows)
        sheet.append([])
        sheet.append([c.title])
        sheet.append([c.reading])
    span = f"{years[0][:4]}-{years[-1][-4:]}" if years else "none"
    return xlsx_response(workbook_bytes(book), f"{programme.slug}-{chart}-{span}.xlsx")
