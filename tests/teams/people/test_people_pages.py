"""The people page a page at a time: filters and sort done by the database and kept in the page
links, totals over the whole call, query counts that do not grow, bad query strings answered."""

import re
from html import unescape

import pytest
from django.urls import reverse
from factories import make_cohort

from teams.models import Student
from teams.people.views import people as views

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def get(client, call, **params):
    response = client.get(reverse("teams:people", args=[call.slug]), params)
    assert response.status_code == 200
    return unescape(response.content.decode())


def emails(page):
    table = page[page.index('id="students"') : page.index("</table>", page.index('id="students"'))]
    return re.findall(r'<td class="small">(student\d+@uni\.example)</td>', table)


@pytest.fixture
def people(client, call, vocab, coordinator, monkeypatch):
    """Eight students shown three a page; the last three have not ranked."""
    monkeypatch.setattr(views, "STUDENTS_PAGE_SIZE", 3)
    monkeypatch.setattr(views, "SUPERVISORS_PAGE_SIZE", 2)
    _selected, students, _sups = make_cohort(call, vocab, commissions=2, students=8, supervisors=3)
    Student.objects.filter(pk__in=[s.pk for s in students[5:]]).update(ranked_at=None)
    client.force_login(coordinator)
    return students


def every_page(client, call, **params):
    shown, number = [], 1
    while True:
        page = get(client, call, page=number, **params)
        shown += emails(page)
        if ">Next<" not in page[page.index('id="students"') : page.index('id="supervisors"')]:
            return shown
        number += 1


def test_sorting_is_done_across_pages(client, call, people):
    by_name = [s.email for s in people]  # Nom000…Nom007
    assert every_page(client, call) == by_name
    assert every_page(client, call, sort="email") == sorted(by_name)
    # Not ranked first (no date), then in the order they ranked.
    assert every_page(client, call, sort="ranked")[:3] == by_name[5:]


def test_page_links_keep_filters_and_sort_and_totals_count_the_call(client, call, people):
    page = get(client, call, ranked="yes", sort="email", q="example", page=2)
    assert "5 of 8 students match the filters." in page and "Shown: 4–5." in page
    links = re.findall(r'href="(\?[^"]*page=\d[^"]*)"', page)
    assert links
    for link in links:
        assert "ranked=yes" in link and "sort=email" in link and "q=example" in link
    form = page[
        page.index('id="student-filters"') : page.index("</form>", page.index("student-filters"))
    ]
    assert 'name="page"' not in form
    # The rankings card counts the whole call, not the page.
    assert "3 students have not ranked yet." in page
    assert "8 students" in page
    page = get(client, call, ranked="no")
    assert emails(page) == [s.email for s in people[5:]]
    # The supervisors page on their own, keeping the students' filters.
    page = get(client, call, ranked="no", spage=2)
    assert "3 supervisors" in page and "Page 2 of 2" in page
    assert re.search(r'href="\?ranked=no&amp;spage=1#supervisors-title"', page) or re.search(
        r'href="\?ranked=no&spage=1#supervisors-title"', page
    )


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "99999"},
        {"spage": "-3"},
        {"sort": "password"},
        {"ranked": "maybe"},
        {"placed": "\x00"},
        {"q": "a\x00b"},
        {"q": "%_" * 300},
    ],
)
def test_bad_query_strings_show_a_page(client, call, people, params):
    assert 'id="student-filters"' in get(client, call, **params)


@pytest.mark.parametrize("size", [4, 40])
def test_the_page_costs_as_many_queries_with_40_students_as_with_4(
    client, call, vocab, coordinator, django_assert_max_num_queries, size
):
    make_cohort(call, vocab, commissions=2, students=size, supervisors=size // 2)
    client.force_login(coordinator)
    client.get(reverse("teams:people", args=[call.slug]))
    for params in ({}, {"q": "Nom", "ranked": "yes", "sort": "team", "page": "2"}):
        with django_assert_max_num_queries(12):
            get(client, call, **params)


def test_each_rows_send_again_button_posts_that_person_through_its_kinds_form(
    client, call, people
):
    """The rows' buttons share one form per kind (form="invite-…"): the button gives the person,
    the form gives the kind, and what the browser posts resends that one invitation."""
    from commissions.models import Email
    from teams.models import Supervisor

    page = get(client, call)
    student, supervisor = (
        people[0],
        Supervisor.objects.filter(call=call).order_by("user__last_name")[0],
    )
    for kind, person in (("student", student), ("supervisor", supervisor)):
        form = re.search(
            rf'<form method="post" action="([^"]+)" id="invite-{kind}"[^>]*>(.*?)</form>', page
        )
        assert form and f'name="kind" value="{kind}"' in form.group(2)
        assert f'form="invite-{kind}" name="pk" value="{person.pk}"' in page
        before = Email.objects.filter(to=person.email).count()
        response = client.post(form.group(1), {"kind": kind, "pk": person.pk}, follow=True)
        assert f"Invitation sent again to {person.email}." in response.content.decode()
        assert Email.objects.filter(to=person.email).count() == before + 1
