"""An organisation's history across years; first-time and returning marks on the review page."""

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import make_call, make_commission

from commissions.models import Commission, Programme
from devtools.demo.history import build_history
from teams.models import Feedback, Team

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def two_years(programme, vocab, call):
    """One institution: declined in 2029, selected in 2030 with a team and feedback."""
    earlier = make_call(programme, slug="mias-2029")
    earlier.academic_year = "2029-2030"
    earlier.save()
    first = make_commission(earlier, vocab, institution_name="Maison Mosaïque", title="Accueil")
    first.status = Commission.Status.DECLINED
    first.save()
    second = make_commission(call, vocab, title="Bénévoles", status="selected")
    second.institution = first.institution
    second.save()
    newcomer = make_commission(call, vocab, institution_name="Nouvelle ASBL", email="n@x.example")
    team = Team.objects.create(call=call, commission=second)
    Feedback.objects.create(team=team, usefulness=4, improve="Plus tôt dans l'année")
    return first, second, newcomer


def test_the_organisation_page_shows_every_year_outcome_team_and_feedback(
    client, coordinator, two_years
):
    first, second, _newcomer = two_years
    client.force_login(coordinator)
    url = reverse("insights:organisation", args=["mias-1", first.institution_id])
    response = client.get(url)
    assert response.status_code == 200
    assert [c.pk for c in response.context["commissions"]] == [second.pk, first.pk]
    html = response.content.decode()
    assert "2029-2030 — Accueil" in html and "Declined" in html
    assert "2030-2031 — Bénévoles" in html and "Selected" in html
    assert "Very useful (4/5)" in html and "Plus tôt dans l&#x27;année" in html


def test_an_organisation_outside_the_programme_is_not_found(client, coordinator, vocab):
    other = Programme.objects.create(name="Autre", short_name="A", slug="autre")
    stranger = make_commission(make_call(other, slug="autre-1"), vocab)
    client.force_login(coordinator)
    url = reverse("insights:organisation", args=["mias-1", stranger.institution_id])
    assert client.get(url).status_code == 404


def test_the_review_page_marks_returning_and_first_time_institutions(
    client, coordinator, two_years, call
):
    _first, second, newcomer = two_years
    client.force_login(coordinator)
    page = client.get(reverse("commissions:review_commission", args=[call.slug, second.pk]))
    html = page.content.decode()
    assert "Returning institution" in html and "2029-2030: declined" in html
    assert reverse("insights:organisation", args=["mias-1", second.institution_id]) in html
    page = client.get(reverse("commissions:review_commission", args=[call.slug, newcomer.pk]))
    assert "First time" in page.content.decode()


def test_the_organisations_list_counts_years_and_selections(client, coordinator, two_years):
    client.force_login(coordinator)
    response = client.get(reverse("insights:organisations", args=["mias-1"]))
    rows = {i.name: i for i in response.context["page"]}
    mosaique = rows["Maison Mosaïque"]
    assert (mosaique.submitted, mosaique.selected, mosaique.years) == (2, 1, 2)
    assert mosaique.first_year == "2029-2030"


def busiest_selected():
    """The institution with most commissions among those selected once (it has a team)."""
    return (
        Commission.objects.filter(institution__commissions__status="selected")
        .values("institution_id")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "institution_id")
        .first()["institution_id"]
    )


def test_organisation_pages_cost_the_same_at_two_and_ten_years(
    client, coordinator, programme, vocab, django_assert_max_num_queries
):
    client.force_login(coordinator)

    def counts():
        found = []
        for url in [
            reverse("insights:organisations", args=["mias-1"]),
            reverse("insights:organisation", args=["mias-1", busiest_selected()]),
        ]:
            with django_assert_max_num_queries(10):
                with CaptureQueriesContext(connection) as ctx:
                    assert client.get(url).status_code == 200
            found.append(len(ctx))
        return found

    build_history(programme, 2010, 2, per_year=8, places=3, prefix="a")
    two = counts()
    build_history(programme, 2012, 8, per_year=8, places=3, prefix="b")
    assert counts() == two


def test_the_organisations_list_pages_most_active_first(
    client, coordinator, call, vocab, django_assert_max_num_queries
):
    from bulk import many_submissions

    commissions, _people = many_submissions(call, vocab, 130, emails=False)
    # A few institutions submit twice: they lead, whichever page they would fall on by name.
    for commission in commissions[-3:]:
        commission.pk = None
        commission.reference = commission.reference + "b"
        commission.save()
    client.force_login(coordinator)
    url = reverse("insights:organisations", args=["mias-1"])
    with django_assert_max_num_queries(10):
        first = client.get(url)
    pages = [first] + [client.get(url, {"page": n}) for n in (2, 3)]
    rows = [i for page in pages for i in page.context["page"]]
    assert first.context["page"].paginator.count == 130 == len(rows)
    # The shared pager: its links keep to this list.
    assert 'href="?page=2"' in first.content.decode()
    assert [i.submitted for i in rows[:3]] == [2, 2, 2]
    assert {i.pk for i in rows[:3]} == {c.institution_id for c in commissions[-3:]}
    rest = [i.name for i in rows[3:]]
    assert rest == sorted(rest) and all(i.submitted == 1 for i in rows[3:])
    assert client.get(url, {"page": "zz"}).status_code == 200
