"""The analytics page: its figures equal the ones computed by hand, per chosen years."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import make_call, make_commission
from openpyxl import load_workbook

from commissions.privacy.contacts import erase_contact
from devtools.demo.history import build_history
from teams.models import Feedback, Team

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def small(programme, vocab, call):
    """2029: CPAS selected, Alpha declined. 2030: Alpha declined, Alpha selected, CPAS
    declined, one withdrawn (never counted)."""
    cpas, alpha = vocab["sectors"][0], vocab["sectors"][1]
    earlier = make_call(programme, slug="mias-2029")
    earlier.academic_year = "2029-2030"
    earlier.status = "archived"
    earlier.save()
    rows = [
        (earlier, "A", cpas, "selected", "a@x.example"),
        (earlier, "B", alpha, "declined", "b@x.example"),
        (call, "B", alpha, "declined", "b@x.example"),
        (call, "C", alpha, "selected", "c@x.example"),
        (call, "D", cpas, "declined", "d@x.example"),
        (call, "E", cpas, "withdrawn", "e@x.example"),
    ]
    made = {}
    for c, name, sector, status, email in rows:
        commission = make_commission(
            c, vocab, institution_name=name, email=email, sector=sector, status=status
        )
        if name in made:  # the same institution comes back
            commission.institution = made[name].institution
            commission.save()
        made.setdefault(name, commission)
    team = Team.objects.create(call=earlier, commission=made["A"], published_at=earlier.deadline)
    Feedback.objects.create(team=team, usefulness=4)
    return earlier, call


def chart(response, slug):
    return next(c for c in response.context["charts"] if c.slug == slug)


def url(**query):
    from urllib.parse import urlencode

    base = reverse("insights:analytics", args=["mias-1"])
    return f"{base}?{urlencode(query)}" if query else base


def test_the_pages_figures_are_the_hand_counted_ones(client, coordinator, small):
    client.force_login(coordinator)
    response = client.get(url())
    assert response.status_code == 200
    assert chart(response, "submissions").rows == [["2029-2030", 2, 1], ["2030-2031", 3, 1]]
    assert chart(response, "sectors").rows == [
        ["Alphabétisation", 3, 1, 33.3],
        ["CPAS", 2, 1, 50.0],
    ]
    assert chart(response, "sectors").reading == (
        "Alphabétisation: submitted 3 times in 2 year(s), selected 1 time."
    )
    assert chart(response, "heatmap").rows == [
        ["2029-2030", "1/0", "1/1"],  # sectors in alphabetical order: Alpha…, CPAS
        ["2030-2031", "2/1", "1/0"],
    ]
    assert chart(response, "returning").rows == [["2029-2030", 2, 0], ["2030-2031", 2, 1]]
    assert chart(response, "usefulness").rows[0][:3] == ["2029-2030", 1, 4]
    html = response.content.decode()
    assert html.count("<svg") == len(response.context["charts"]) == 13
    assert "<caption>Acceptance rate by sector</caption>" in html


def test_years_can_be_chosen(client, coordinator, small):
    client.force_login(coordinator)
    response = client.get(url(**{"from": "2030-2031", "to": "2030-2031"}))
    assert response.context["years"] == ["2030-2031"]
    assert chart(response, "submissions").rows == [["2030-2031", 3, 1]]
    # B came in 2029: still returning when 2029 is not shown.
    assert chart(response, "returning").rows == [["2030-2031", 2, 1]]
    reversed_years = client.get(url(**{"from": "2030-2031", "to": "2029-2030"}))
    assert reversed_years.context["years"] == ["2029-2030", "2030-2031"]


@pytest.mark.parametrize("bad", ["nope", "2099-2100", "\x00", "x" * 500])
def test_unknown_years_show_every_year(client, coordinator, small, bad):
    client.force_login(coordinator)
    response = client.get(url(**{"from": bad, "to": bad}))
    assert response.status_code == 200
    assert response.context["years"] == ["2029-2030", "2030-2031"]


def test_each_table_downloads_as_excel(client, coordinator, small):
    client.force_login(coordinator)
    response = client.get(reverse("insights:analytics_download", args=["mias-1", "sectors"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["sectors"]
    rows = [list(r) for r in sheet.iter_rows(min_row=1, max_row=3, values_only=True)]
    assert rows[1] == ["Alphabétisation", 3, 1, 33.3]
    whole = client.get(reverse("insights:analytics_download", args=["mias-1", "all"]))
    assert len(load_workbook(io.BytesIO(whole.content)).sheetnames) == 13
    missing = reverse("insights:analytics_download", args=["mias-1", "nothing"])
    assert client.get(missing).status_code == 404


def test_an_erased_contact_still_counts(client, coordinator, small):
    client.force_login(coordinator)
    before = client.get(url())
    erase_contact("b@x.example", actor=coordinator)
    after = client.get(url())
    for slug in ["submissions", "sectors", "heatmap", "returning"]:
        assert chart(after, slug).rows == chart(before, slug).rows, slug


def test_analytics_cost_the_same_queries_at_two_and_ten_years(
    client, coordinator, programme, vocab, django_assert_max_num_queries
):
    client.force_login(coordinator)
    build_history(programme, 2010, 2, per_year=10, places=3, prefix="a")
    with CaptureQueriesContext(connection) as two:
        client.get(url())
    build_history(programme, 2012, 8, per_year=10, places=3, prefix="b")
    with django_assert_max_num_queries(13):
        response = client.get(url())
    assert len(response.context["years"]) == 10
    with CaptureQueriesContext(connection) as ten:
        client.get(url())
    assert len(ten) == len(two)


def test_the_database_agrees_with_the_plain_statistics(call, vocab, coordinator):
    from bulk import many_submissions

    from commissions.models import Review
    from insights.analytics import reading, stats

    many_submissions(call, vocab, 40, emails=False)
    reviews = Review.objects.filter(commission__call=call)
    scores = [
        stats.Score(call.academic_year, *row)
        for row in reviews.values_list("reviewer_id", "commission_id", "score")
    ]
    years = [call.academic_year, "1999-2000"]
    data = reading.read(call.programme, years, years)
    expected = stats.agreement(scores, years)
    assert data.agreement == expected and expected[call.academic_year][0] > 20
    assert data.load == stats.reviewer_load(scores)
