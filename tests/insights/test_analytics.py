"""The analytics page: its figures equal the ones computed by hand, per chosen years."""

import io

import pytest
from django.db import connection
from django.db.models import F
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
    """Computed (cold) or from the cache (warm), the page costs the same at any size; the bulk
    inserts of ten more years renew the cached figures."""
    client.force_login(coordinator)
    build_history(programme, 2010, 2, per_year=10, places=3, prefix="a")
    with CaptureQueriesContext(connection) as cold_two:
        client.get(url())
    with CaptureQueriesContext(connection) as warm_two:
        client.get(url())
    build_history(programme, 2012, 8, per_year=10, places=3, prefix="b")
    # One query per kind of figure (the returning institutions are their own grouping), and
    # the shared cache's reads and write.
    with django_assert_max_num_queries(21) as cold_ten:
        response = client.get(url())
    assert len(response.context["years"]) == 10
    with django_assert_max_num_queries(9) as warm_ten:
        client.get(url())
    assert len(cold_ten) == len(cold_two) and len(warm_ten) == len(warm_two)


def plain_records(programme):
    """Every record one by one, as `stats` reads them: the reference the grouped figures of
    `reading` must equal."""
    from commissions.models import Call, Commission
    from insights.analytics import stats
    from insights.models import SurveyAnswer
    from teams.models import Milestone, Preference

    submissions = [
        stats.Submission(*row)
        for row in Commission.objects.filter(call__programme=programme)
        .exclude(call__status=Call.Status.DRAFT)
        .values_list(
            "call__academic_year",
            "institution_id",
            "sector__name",
            "commission_type__name",
            "intervention_context__name",
            "status",
            "submitted_at",
            "call__deadline",
        )
    ]
    ranks = list(
        Preference.objects.filter(
            student__call__programme=programme, commission=F("student__team__commission")
        ).values_list("student__call__academic_year", "rank")
    )
    steps = [
        stats.Step(year, label if kind == "other" else kind, due, done)
        for year, kind, label, due, done in Milestone.objects.filter(
            team__call__programme=programme, team__published_at__isnull=False
        )
        .order_by("key_date__starts_at")
        .values_list(
            "team__call__academic_year", "key_date__kind", "key_date__label", "due_at", "done_at"
        )
    ]
    usefulness = list(
        Feedback.objects.filter(team__call__programme=programme).values_list(
            "team__call__academic_year", "usefulness"
        )
    )
    satisfaction = list(
        SurveyAnswer.objects.filter(call__programme=programme).values_list(
            "call__academic_year", "satisfaction"
        )
    )
    return submissions, ranks, steps, usefulness, satisfaction


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_grouped_figures_equal_the_plain_statistics(programme, vocab, seed):
    """The page's figures come grouped from the database; on random years with withdrawals, late
    and early submissions, undone and future milestones, they equal `stats` on every record."""
    import random
    from datetime import timedelta

    from django.utils import timezone

    from commissions.models import Commission
    from insights.analytics import reading, stats
    from teams.models import Milestone

    rng = random.Random(seed)
    build_history(programme, 2010, 4, per_year=12, places=4, seed=seed, prefix=f"s{seed}")
    now = timezone.now()
    for c in Commission.objects.filter(call__programme=programme):
        c.submitted_at = c.call.deadline - timedelta(hours=rng.uniform(-30, 24 * 70))
        c.status = rng.choice(["selected", "declined", "withdrawn", c.status, c.status])
        c.save(update_fields=["submitted_at", "status"])
    for m in Milestone.objects.filter(team__call__programme=programme):
        m.due_at = now + timedelta(days=rng.uniform(-40, 20))
        m.done_at = rng.choice([None, m.due_at + timedelta(hours=rng.uniform(-90, 200))])
        m.save(update_fields=["due_at", "done_at"])
    every = reading.programme_years(programme)
    submissions, ranks, steps, usefulness, satisfaction = plain_records(programme)
    for years in (every, every[1:3], every[-1:]):
        data = reading.read(programme, years, every, now=now)
        shown = [s for s in submissions if s.year in years]
        assert data.per_year == stats.per_year(submissions, years)
        assert data.arrival == stats.arrival_curve(submissions, years)
        for key in ("sector", "type", "context"):
            rows, years_of = data.acceptance[key]
            assert rows == stats.acceptance_by(shown, key)
            for value, *_counts in rows:
                counted = stats.counted(shown)
                assert years_of[value] == len({s.year for s in counted if getattr(s, key) == value})
        assert data.heatmap == stats.heatmap(submissions, years)
        assert data.returning == stats.first_time_vs_returning(submissions, years)
        assert data.ranks == stats.rank_profile(ranks, years)
        mine = [s for s in steps if s.year in years]
        assert data.lateness == stats.lateness(mine, now)
        assert data.usefulness == stats.ratings(usefulness, years)
        assert data.satisfaction == stats.ratings(satisfaction, years)
    assert sum(n for n, _s in data.per_year.values()) > 0 and any(r[2] for r in data.lateness)


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


def test_cached_figures_follow_saves_and_bulk_writes(client, coordinator, small, call, vocab):
    """The second visit reads the counted figures from the cache; a decision saved, or teams
    formed by the allocation (queryset updates, no model signal), show at the next visit."""
    from factories import formed, make_cohort

    from commissions.models import Commission
    from insights.analytics import reading

    client.force_login(coordinator)
    assert chart(client.get(url()), "submissions").rows[-1] == ["2030-2031", 3, 1]
    warm = client.get(url())
    assert chart(warm, "submissions").rows[-1] == ["2030-2031", 3, 1]
    declined = Commission.objects.filter(call=call, status="declined").first()
    declined.status = "selected"
    declined.save()
    assert chart(client.get(url()), "submissions").rows[-1] == ["2030-2031", 3, 2]

    make_cohort(call, vocab, students=20)  # who ranked; five selected, no team yet
    before = chart(client.get(url()), "ranks").rows[-1]
    assert before[0] == "2030-2031" and sum(before[1:]) == 0
    formed(call, coordinator)  # the members are placed by queryset updates
    after = chart(client.get(url()), "ranks").rows[-1]
    years = reading.programme_years(call.programme)
    assert after[1:] == reading.read(call.programme, years, years).ranks["2030-2031"]
    assert sum(after[1:]) > 0  # those placed on a commission they ranked
