"""The review table a page at a time: sorted and filtered in the database, same cost at any size."""

import re

import pytest
from bulk import many_submissions
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissions.models import Commission, ReviewAssignment
from commissions.paging import PAGE_SIZE
from commissions.review import table
from commissions.review.reviewing import call_aggregates

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def url(call):
    return reverse("commissions:review_table", args=[call.slug])


def shown(response):
    return [row["commission"].pk for row in response.context["rows"]]


@pytest.mark.parametrize("sort", ["merit", "-merit", "-spread", "spread"])
def test_the_database_sorts_by_the_merit_and_spread_shown(call, vocab, sort):
    commissions, _people = many_submissions(call, vocab, 60)
    ids = list(table.ordered_ids(Commission.objects.filter(call=call), sort))
    assert sorted(ids) == sorted(c.pk for c in commissions)
    aggregates = call_aggregates(call)
    value = "merit" if sort.endswith("merit") else "spread"
    values = [getattr(aggregates[pk], value) if pk in aggregates else None for pk in ids]
    known = [v for v in values if v is not None]
    assert values == known + [None] * (len(values) - len(known))  # unscored ones last
    descending = not sort.startswith("-") if value == "merit" else sort.startswith("-")
    assert known == pytest.approx(sorted(known, reverse=descending))
    assert len(known) > 40 and len(set(known)) > 10


def test_page_two_continues_page_one_and_keeps_filter_and_sort(client, call, vocab, coordinator):
    many_submissions(call, vocab, 3 * PAGE_SIZE)
    status = Commission.Status.UNDER_REVIEW
    matching = Commission.objects.filter(call=call, status=status)
    assert PAGE_SIZE < matching.count() < 2 * PAGE_SIZE
    client.force_login(coordinator)
    first = client.get(url(call), {"status": status, "sort": "title"})
    html = first.content.decode()
    assert first.context["page"].paginator.count == matching.count()
    assert f"1–{PAGE_SIZE} of {matching.count()} submissions" in html.replace("&nbsp;", " ")
    links = re.findall(r'href="\?([^"]*page=2)"', html)
    assert links and all(f"status={status}" in link and "sort=title" in link for link in links)
    second = client.get(url(call) + "?" + links[0].replace("&amp;", "&"))
    assert second.context["page"].number == 2
    page_one = [r["commission"].title.lower() for r in first.context["rows"]]
    page_two = [r["commission"].title.lower() for r in second.context["rows"]]
    assert page_one == sorted(page_one) and page_two == sorted(page_two)
    assert page_one[-1] <= page_two[0]
    assert set(shown(first)).isdisjoint(shown(second))
    assert {r["commission"].status for r in second.context["rows"]} == {status}
    assert len(shown(first)) + len(shown(second)) == matching.count()
    # A sort link starts again at page 1 and keeps the filter; the filter form drops the page.
    sort_links = re.findall(r'href="\?([^"]*sort=institution)"', second.content.decode())
    assert sort_links and f"status={status}" in sort_links[0]
    assert "page=" not in sort_links[0]


def test_merit_order_runs_across_pages(client, call, vocab, coordinator):
    many_submissions(call, vocab, 2 * PAGE_SIZE + 7)
    client.force_login(coordinator)
    merits = []
    for number in (1, 2, 3):
        rows = client.get(url(call), {"page": number}).context["rows"]
        merits += [r["merit"] for r in rows]
    assert len(merits) == 2 * PAGE_SIZE + 7
    known = [m for m in merits if m is not None]
    assert known == pytest.approx(sorted(known, reverse=True))
    assert merits[len(known) :] == [None] * (len(merits) - len(known))


def test_totals_count_every_match_not_the_page(client, call, vocab, coordinator):
    many_submissions(call, vocab, 2 * PAGE_SIZE)
    client.force_login(coordinator)
    response = client.get(url(call), {"status": Commission.Status.WITHDRAWN})
    withdrawn = Commission.objects.filter(call=call, status=Commission.Status.WITHDRAWN).count()
    assert response.context["page"].paginator.count == withdrawn
    assert response.context["total"] == 2 * PAGE_SIZE
    assert len(response.context["rows"]) == withdrawn < PAGE_SIZE
    text = response.content.decode().replace("&nbsp;", " ")
    assert f"1–{withdrawn} of {withdrawn} submissions" in text
    assert f"({2 * PAGE_SIZE} in all, without the filters)" in text


def test_a_reviewer_pages_through_their_own_only(client, call, vocab, coordinator):
    commissions, people = many_submissions(call, vocab, PAGE_SIZE + 20)
    reviewer = people[0]
    ReviewAssignment.objects.filter(reviewer=reviewer, commission__in=commissions[::10]).delete()
    own = ReviewAssignment.objects.filter(reviewer=reviewer)
    assert PAGE_SIZE < own.count()
    client.force_login(reviewer)
    seen = []
    for number in (1, 2):
        response = client.get(url(call), {"page": number, "sort": "-spread"})
        assert response.status_code == 200
        seen += response.context["rows"]
    assert sorted(r["commission"].pk for r in seen) == sorted(
        own.values_list("commission_id", flat=True)
    )
    # Others' scores stay hidden where the reviewer's own are not in, and those sort last.
    hidden = [r["spread"] is None for r in seen]
    assert hidden == sorted(hidden)
    pending = set(own.filter(submitted_at=None).values_list("commission_id", flat=True))
    assert pending and all(r["merit"] is None for r in seen if r["commission"].pk in pending)


SORTS = ["merit", "-spread", "reviews", "title", "submitted"]


def queries(client, call, params):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url(call), params).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("sort", SORTS)
def test_the_same_queries_at_3_and_at_60_submissions(
    client, call, vocab, coordinator, sort, django_assert_max_num_queries
):
    many_submissions(call, vocab, 3)
    client.force_login(coordinator)
    params = {"sort": sort, "sector": vocab["sectors"][0].pk, "q": "asbl"}
    small = queries(client, call, params)
    many_submissions(call, vocab, 57)
    with django_assert_max_num_queries(16):
        assert client.get(url(call), params).status_code == 200
    assert queries(client, call, params) == small
    assert queries(client, call, {"sort": sort, "page": 2}) <= small


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "-3"},
        {"page": "9" * 30},
        {"page": "deux"},
        {"page": "1.5"},
        {"page": "\x00"},
        {"sort": "bogus"},
        {"sort": "-title"},
        {"sort": "pk;drop"},
        {"sector": "abc", "type": "-1", "context": "9" * 40, "status": "nope"},
        {"q": "%", "sort": "reviews", "page": "2"},
    ],
)
def test_bad_page_sort_or_filter_values_still_show_a_page(client, call, vocab, coordinator, params):
    many_submissions(call, vocab, PAGE_SIZE + 3)
    client.force_login(coordinator)
    response = client.get(url(call), params)
    assert response.status_code == 200
    assert response.context["sort"] in table.SORTS


def test_a_page_past_the_end_shows_the_last_one(client, call, vocab, coordinator):
    many_submissions(call, vocab, PAGE_SIZE + 3)
    client.force_login(coordinator)
    response = client.get(url(call), {"page": 99})
    assert response.context["page"].number == 2 and len(response.context["rows"]) == 3


def test_a_call_without_reviewer_criteria_still_sorts(client, call, vocab, coordinator):
    many_submissions(call, vocab, 5)
    call.criteria.all().delete()
    client.force_login(coordinator)
    for sort in ("merit", "-spread"):
        response = client.get(url(call), {"sort": sort})
        assert response.status_code == 200 and len(response.context["rows"]) == 5


def test_a_reviewer_sees_merits_sorted_only_where_their_own_scores_are_in(client, call, vocab):
    from django.contrib.auth.models import Group

    from commissions.roles import REVIEWERS

    _commissions, people = many_submissions(call, vocab, 30, emails=False)
    reviewer = people[0]
    reviewer.groups.add(Group.objects.get_or_create(name=REVIEWERS)[0])
    call.programme.reviewers.add(reviewer)
    handed_in = set(
        ReviewAssignment.objects.filter(reviewer=reviewer, submitted_at__isnull=False).values_list(
            "commission_id", flat=True
        )
    )
    assert 0 < len(handed_in) < 30
    client.force_login(reviewer)
    rows = client.get(url(call)).context["rows"]
    assert len(rows) == 30
    merits = [r["merit"] for r in rows]
    seen = len(handed_in)
    # Others' scores stay hidden until the reviewer's own are in, and sort as unscored.
    assert {r["commission"].pk for r in rows[:seen]} == handed_in
    assert None not in merits[:seen] and merits[seen:] == [None] * (30 - seen)
    assert merits[:seen] == pytest.approx(sorted(merits[:seen], reverse=True))
