"""The analytics' statistics, each checked against a small example computed by hand."""

from datetime import datetime, timedelta

from insights.analytics import charts, stats
from insights.analytics.stats import Score, Step, Submission

DEADLINE = datetime(2024, 3, 28, 23, 0)


def sub(year, inst, sector="Logement", status="declined", days_before=1, type="Q", context="R"):
    return Submission(
        year, inst, sector, type, context, status, DEADLINE - timedelta(days=days_before), DEADLINE
    )


# Three years; institution 1 comes every year, 2 twice, 3 once; one withdrawal.
SUBS = [
    sub("2021-2022", 1, "Logement", days_before=30),
    sub("2021-2022", 2, "CPAS", "selected", days_before=2),
    sub("2022-2023", 1, "Logement", days_before=10),
    sub("2022-2023", 3, "CPAS", "selected", days_before=0.5),
    sub("2022-2023", 4, "Santé", "withdrawn"),
    sub("2023-2024", 1, "Logement", "selected", days_before=5, type="P"),
    sub("2023-2024", 2, "CPAS", "declined", days_before=8, type="P", context="S"),
]
YEARS = ["2021-2022", "2022-2023", "2023-2024"]


def test_submissions_per_year_leave_out_withdrawals():
    assert stats.per_year(SUBS, YEARS) == {
        "2021-2022": (2, 1),
        "2022-2023": (2, 1),
        "2023-2024": (2, 1),
    }
    assert stats.per_year(SUBS, ["2020-2021"]) == {"2020-2021": (0, 0)}


def test_the_arrival_curve_is_the_share_already_in():
    curve = stats.arrival_curve(SUBS, YEARS, days=(14, 7, 1, 0))
    assert curve["2021-2022"] == [50.0, 50.0, 100.0, 100.0]  # 30 and 2 days before
    assert curve["2022-2023"] == [0.0, 50.0, 50.0, 100.0]  # 10 days and half a day
    assert curve["2023-2024"] == [0.0, 50.0, 100.0, 100.0]  # 8 and 5 days


def test_acceptance_by_sector_type_and_context():
    assert stats.acceptance_by(SUBS, "sector") == [
        ("CPAS", 3, 2, 66.7),
        ("Logement", 3, 1, 33.3),
    ]
    assert stats.acceptance_by(SUBS, "type") == [("Q", 4, 2, 50.0), ("P", 2, 1, 50.0)]
    assert stats.acceptance_by(SUBS, "context") == [("R", 5, 3, 60.0), ("S", 1, 0, 0.0)]


def test_the_heatmap_counts_submitted_and_selected_per_year_and_sector():
    sectors, cells = stats.heatmap(SUBS, YEARS[:2])
    assert sectors == ["CPAS", "Logement"]
    assert cells == {
        ("2021-2022", "Logement"): (1, 0),
        ("2021-2022", "CPAS"): (1, 1),
        ("2022-2023", "Logement"): (1, 0),
        ("2022-2023", "CPAS"): (1, 1),
    }


def test_first_time_and_returning_institutions_look_at_earlier_years_too():
    assert stats.first_time_vs_returning(SUBS, YEARS) == {
        "2021-2022": (2, 0),
        "2022-2023": (1, 1),  # 3 is new (4 withdrew), 1 returns
        "2023-2024": (0, 2),
    }
    # Showing only the last year still knows who came before.
    assert stats.first_time_vs_returning(SUBS, ["2023-2024"]) == {"2023-2024": (0, 2)}


SCORES = [
    # commission 10: reviewer 1 means 3, reviewer 2 means 1 -> spread 2
    Score("2021-2022", 1, 10, 4), Score("2021-2022", 1, 10, 2),
    Score("2021-2022", 2, 10, 1), Score("2021-2022", 2, 10, 1),
    # commission 11: both 2 -> spread 0
    Score("2021-2022", 1, 11, 2), Score("2021-2022", 2, 11, 2),
    # commission 12: one reviewer only -> no spread
    Score("2022-2023", 3, 12, 4),
]  # fmt: skip


def test_reviewer_load_and_agreement():
    assert stats.reviewer_load(SCORES) == [(1, 2), (2, 2), (3, 1)]
    assert stats.agreement(SCORES, YEARS[:2]) == {"2021-2022": (2, 1.0), "2022-2023": (0, None)}


def test_rank_profile_counts_each_choice_and_lower_ones():
    ranks = [("2021-2022", 1), ("2021-2022", 1), ("2021-2022", 2), ("2021-2022", 9)]
    assert stats.rank_profile(ranks, ["2021-2022"], top=3) == {"2021-2022": [2, 1, 0, 1]}


def test_lateness_counts_late_done_and_overdue_undone_steps():
    now = datetime(2024, 6, 1)
    due = datetime(2024, 5, 1)
    steps = [
        Step("y", "report", due, due + timedelta(days=4)),  # 4 days late
        Step("y", "report", due, due - timedelta(days=1)),  # early
        Step("y", "report", due, None),  # never done, 31 days overdue
        Step("y", "oral", datetime(2024, 7, 1), None),  # not yet due
    ]
    assert stats.lateness(steps, now) == [("report", 3, 2, 17.5), ("oral", 1, 0, 0.0)]


def test_ratings_per_year():
    values = [("a", 4), ("a", 5), ("a", 3), ("b", 2)]
    assert stats.ratings(values, ["a", "b", "c"]) == {
        "a": (3, 4, [0, 0, 1, 1, 1]),
        "b": (1, 2, [0, 1, 0, 0, 0]),
        "c": (0, None, [0, 0, 0, 0, 0]),
    }


def test_charts_are_svg_with_a_title_and_escaped_labels():
    svg = charts.bars("Titre <1>", ["a&b", "c"], [("x", [1, 3])])
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title>Titre &lt;1&gt;</title>" in svg and "a&amp;b" in svg
    assert svg.count("<rect") == 2
    assert "<polyline" in charts.lines("t", ["1", "2"], [("s", [0, 50])], max_value=100)
    grid = charts.grid("t", ["2021"], ["CPAS"], {("2021", "CPAS"): (1.0, "3/1")})
    assert "3/1" in grid and "#ffffff" in grid  # white text on the darkest cell
    assert "<rect" not in charts.bars("empty", [], [("x", [])])
