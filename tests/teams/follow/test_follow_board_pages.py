"""The follow-up board a page at a time: filters and sort done by the database and kept in the
page links, totals over the whole call, bad query strings answered without an error."""

import re
from html import unescape

import pytest
from django.urls import reverse
from factories import publish_cohort

from teams.follow import following, views
from teams.models import Feedback, Milestone

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TEAMS = 7


@pytest.fixture
def board(client, call, vocab, coordinator, monkeypatch):
    """Seven published teams shown three a page; the report and the exploration are late."""
    monkeypatch.setattr(views, "BOARD_PAGE_SIZE", 3)
    teams = publish_cohort(
        call, vocab, coordinator, commissions=TEAMS, students=4 * TEAMS, supervisors=4,
        report_in_days=-5,
    )  # fmt: skip
    # Titles in the reverse order of the references: sorting by title turns the board around.
    for i, team in enumerate(teams):
        team.commission.title = f"Commission {chr(ord('z') - i)}"
        team.commission.save(update_fields=["title"])
    client.force_login(coordinator)
    return teams


def get(client, call, **params):
    response = client.get(reverse("teams:follow", args=[call.slug]), params)
    assert response.status_code == 200
    return unescape(response.content.decode())


def references(page):
    return re.findall(r">(S-\d{3})</a>", page)


def every_page(client, call, **params):
    shown, number = [], 1
    while True:
        page = get(client, call, page=number, **params)
        shown += references(page)
        if 'rel="next"' not in page and ">Next<" not in page:
            return shown
        number += 1


def test_sorting_is_done_across_pages_not_within_one(client, call, board):
    by_reference = sorted(t.commission.reference for t in board)
    assert every_page(client, call) == by_reference
    assert every_page(client, call, sort="title") == by_reference[::-1]
    # The most late steps first: two teams have theirs done, they come last.
    for team in board[:2]:
        for m in team.milestones.all():
            following.set_done(m, None)
    assert every_page(client, call, sort="late") == by_reference[2:] + by_reference[:2]


def test_page_links_keep_the_filters_and_the_sort(client, call, board):
    page = get(client, call, q="Commission", sort="title", late="1", page=2)
    links = re.findall(r'href="(\?[^"]*page=\d[^"]*)"', page)
    assert links, "page 2 links to pages 1 and 3"
    for link in links:
        assert "q=Commission" in link and "sort=title" in link and "late=1" in link
    # The filter form starts again at page 1: it carries no page number.
    form = page[
        page.index('id="board-filters"') : page.index("</form>", page.index("board-filters"))
    ]
    assert 'name="page"' not in form
    assert 'value="title" selected' in form and 'name="q"' in form and 'value="Commission"' in form


def test_totals_count_the_whole_call_with_and_without_filters(client, call, board):
    page = get(client, call)
    assert f"{TEAMS} teams." in page and "Shown: 1–3." in page
    for team in board[:2]:
        Feedback.objects.create(team=team, usefulness=4)
    page = get(client, call, feedback="given")
    assert f"2 of {TEAMS} teams match the filters." in page
    assert references(page) == sorted(t.commission.reference for t in board[:2])
    page = get(client, call, feedback="missing", page=2)
    assert f"5 of {TEAMS} teams match the filters." in page and "Shown: 4–5." in page
    # The "done for N teams" button counts every late team of the call, not the page's three.
    late = Milestone.objects.filter(team__call=call, key_date__kind="report").count()
    assert late == TEAMS
    assert f"✓ done for {TEAMS} teams" in get(client, call)
    page = get(client, call, q=board[4].commission.reference)
    assert references(page) == [board[4].commission.reference]
    assert f"1 of {TEAMS} teams match the filters." in page


def test_the_done_button_still_marks_every_team_not_only_the_page(client, call, board):
    url = reverse("teams:follow_done", args=[call.slug])
    page = client.post(url, {"key": "report"}).content.decode()
    ids = re.findall(r'name="milestone" value="(\d+)"', page)
    assert len(ids) == TEAMS
    client.post(url, {"key": "report", "confirm": "1", "milestone": ids})
    assert not Milestone.objects.filter(
        team__call=call, key_date__kind="report", done_at__isnull=True
    ).exists()


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "999"},
        {"page": "-1"},
        {"page": "0"},
        {"page": "1" * 400},
        {"sort": "commission__institution__pk"},
        {"sort": "-reference"},
        {"feedback": "everything"},
        {"late": "yes"},
        {"q": "x\x00y"},
        {"q": "%" * 500},
    ],
)
def test_bad_query_strings_show_a_page_never_an_error(client, call, board, params):
    page = get(client, call, **params)
    assert 'id="board-filters"' in page


def test_an_empty_search_says_so(client, call, board):
    page = get(client, call, q="nothing like this")
    assert "No team matches these filters." in page and f"0 of {TEAMS} teams" in page
