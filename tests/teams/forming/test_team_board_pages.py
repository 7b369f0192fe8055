"""The team board a page at a time: a search kept in the page links, moves to a team on another
page by its reference, bounded queries, bad query strings answered without an error."""

import re
from html import unescape

import pytest
from django.urls import reverse
from factories import formed, make_cohort

from teams.forming import views
from teams.models import Student, Team

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def board(client, call, vocab, coordinator, monkeypatch):
    """Five teams of four, two a page."""
    monkeypatch.setattr(views, "BOARD_PAGE_SIZE", 2)
    make_cohort(call, vocab, commissions=5, students=20, supervisors=3)
    formed(call, coordinator)
    client.force_login(coordinator)
    return list(Team.objects.filter(call=call).order_by("commission__reference"))


def get(client, call, **params):
    response = client.get(reverse("teams:board", args=[call.slug]), params)
    assert response.status_code == 200
    return unescape(response.content.decode())


def shown(page):
    return [int(pk) for pk in re.findall(r'id="team-(\d+)"', page)]


def test_pages_follow_the_references_and_keep_the_search(client, call, board):
    assert shown(get(client, call)) == [t.pk for t in board[:2]]
    page = get(client, call, page=3)
    assert shown(page) == [board[4].pk] and "5 teams." in page and "Shown: 5–5." in page
    page = get(client, call, q="Commission", page=2)
    assert "5 of 5 teams match the filters." in page
    links = re.findall(r'href="(\?[^"]*page=\d[^"]*)"', page)
    assert links and all("q=Commission" in link for link in links)
    page = get(client, call, q=board[3].commission.reference)
    assert shown(page) == [board[3].pk] and "1 of 5 teams match the filters." in page


def test_a_student_moves_to_a_team_on_another_page_by_its_reference(client, call, board):
    student = Student.objects.filter(team=board[0]).first()
    target = board[4]
    response = client.post(
        reverse("teams:move", args=[call.slug]),
        {"student": student.pk, "team": board[0].pk, "reference": target.commission.reference,
         "page": "2"},
    )  # fmt: skip
    assert response.status_code == 302 and response.url.endswith("?page=2")
    student.refresh_from_db()
    assert student.team_id == target.pk
    response = client.post(
        reverse("teams:move", args=[call.slug]),
        {"student": student.pk, "reference": "NOPE-1"},
        follow=True,
    )
    assert "No team has the reference NOPE-1." in response.content.decode()
    student.refresh_from_db()
    assert student.team_id == target.pk


@pytest.mark.parametrize(
    "params",
    [{"page": "x"}, {"page": "1e9"}, {"upage": "-1"}, {"q": "a\x00"}, {"q": "%" * 300}],
)
def test_bad_query_strings_show_a_page(client, call, board, params):
    assert 'id="board-filters"' in get(client, call, **params)


@pytest.mark.parametrize("size", [3, 30])
def test_the_board_costs_as_many_queries_with_30_teams_as_with_3(
    client, call, vocab, coordinator, django_assert_max_num_queries, size
):
    make_cohort(call, vocab, commissions=size, students=4 * size + 3, supervisors=size // 2 + 1)
    formed(call, coordinator)
    client.force_login(coordinator)
    client.get(reverse("teams:board", args=[call.slug]))
    for params in ({}, {"q": "Commission", "page": "2"}):
        with django_assert_max_num_queries(24):
            get(client, call, **params)
