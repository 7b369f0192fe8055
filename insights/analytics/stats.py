"""What each figure of the analytics means, computed on plain records (no database).

Each function takes lists of small records and returns plain numbers, so every figure can be
checked by hand on a small example. The page reads the same figures grouped by the database
(`reading`), and the tests hold the two equal on random data. Years are academic years
('2024-2025'), sorted as text.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime


def mean(values):
    """The arithmetic mean (statistics.mean is exact, and ten times slower on thousands)."""
    values = list(values)
    return sum(values) / len(values)


SELECTED = "selected"
WITHDRAWN = "withdrawn"
DAYS = (56, 42, 28, 21, 14, 7, 3, 1, 0)  # the arrival curve's days before the deadline


@dataclass(frozen=True)
class Submission:
    year: str
    institution: int
    sector: str
    type: str
    context: str
    status: str
    submitted_at: datetime
    deadline: datetime


@dataclass(frozen=True)
class Score:
    year: str
    reviewer: int
    commission: int
    score: int


@dataclass(frozen=True)
class Step:
    year: str
    step: str
    due_at: datetime
    done_at: datetime | None


def counted(submissions):
    """Submissions that count: all but the withdrawn ones (erased contacts still count)."""
    return [s for s in submissions if s.status != WITHDRAWN]


def per_year(submissions, years):
    """{year: (submitted, selected)} for every year asked, zeros included."""
    out = {year: [0, 0] for year in years}
    for s in counted(submissions):
        if s.year in out:
            out[s.year][0] += 1
            out[s.year][1] += s.status == SELECTED
    return {year: tuple(v) for year, v in out.items()}


def arrival_curve(submissions, years, days=DAYS):
    """{year: [share (%) of the year's submissions already in, at each number of days before
    the deadline]}: how late institutions answer."""
    out = {}
    for year in years:
        mine = [s for s in counted(submissions) if s.year == year]
        if not mine:
            out[year] = [0.0 for _ in days]
            continue
        out[year] = [
            round(
                100
                * sum(1 for s in mine if (s.deadline - s.submitted_at).total_seconds() >= d * 86400)
                / len(mine),
                1,
            )
            for d in days
        ]
    return out


def acceptance_by(submissions, key):
    """[(value, submitted, selected, rate %)] by `key` ('sector', 'type', 'context'), most
    submitted first."""
    submitted, selected = Counter(), Counter()
    for s in counted(submissions):
        value = getattr(s, key)
        submitted[value] += 1
        selected[value] += s.status == SELECTED
    return [
        (value, n, selected[value], round(100 * selected[value] / n, 1))
        for value, n in sorted(submitted.items(), key=lambda e: (-e[1], e[0]))
    ]


def heatmap(submissions, years):
    """(sectors, {(year, sector): (submitted, selected)}) for the year × sector grid."""
    cells = defaultdict(lambda: [0, 0])
    sectors = set()
    for s in counted(submissions):
        if s.year in years:
            sectors.add(s.sector)
            cells[(s.year, s.sector)][0] += 1
            cells[(s.year, s.sector)][1] += s.status == SELECTED
    return sorted(sectors), {k: tuple(v) for k, v in cells.items()}


def first_time_vs_returning(all_submissions, years):
    """{year: (first-time institutions, returning institutions)}.

    An institution returns in a year when it submitted to an earlier year of the programme;
    `all_submissions` is every year's (the years shown may start later)."""
    first_year = {}
    for s in sorted(counted(all_submissions), key=lambda s: s.year):
        first_year.setdefault(s.institution, s.year)
    out = {}
    for year in years:
        institutions = {s.institution for s in counted(all_submissions) if s.year == year}
        returning = sum(1 for i in institutions if first_year[i] < year)
        out[year] = (len(institutions) - returning, returning)
    return out


def reviewer_load(scores):
    """[(reviewer, commissions reviewed)], busiest first."""
    load = defaultdict(set)
    for s in scores:
        load[s.reviewer].add(s.commission)
    return sorted(((r, len(c)) for r, c in load.items()), key=lambda e: (-e[1], e[0]))


def agreement(scores, years):
    """{year: (commissions with two reviewers or more, mean spread)}.

    A commission's spread is the gap between its most and least generous reviewer's mean
    score: 0 when every reviewer agrees."""
    by = defaultdict(lambda: defaultdict(list))
    year_of = {}
    for s in scores:
        by[s.commission][s.reviewer].append(s.score)
        year_of[s.commission] = s.year
    spreads = defaultdict(list)
    for commission, reviewers in by.items():
        if len(reviewers) >= 2:
            means = [mean(v) for v in reviewers.values()]
            spreads[year_of[commission]].append(max(means) - min(means))
    return {
        year: (len(spreads[year]), round(mean(spreads[year]), 2) if spreads[year] else None)
        for year in years
    }


def rank_profile(ranks, years, top=5):
    """{year: [students who got their 1st, 2nd, … choice, then 'lower']} from (year, rank)."""
    out = {year: [0] * (top + 1) for year in years}
    for year, rank in ranks:
        if year in out:
            out[year][min(rank, top + 1) - 1] += 1
    return out


def lateness(steps, now):
    """[(step, milestones, late, mean days late of the late ones)] in the order given.

    A step is late when done after its due time, or not done and already due."""
    order, rows = [], defaultdict(list)
    for s in steps:
        if s.step not in rows:
            order.append(s.step)
        if s.done_at is not None:
            late = (s.done_at - s.due_at).total_seconds() / 86400
        elif s.due_at < now:
            late = (now - s.due_at).total_seconds() / 86400
        else:
            late = 0
        rows[s.step].append(late)
    out = []
    for step in order:
        late = [d for d in rows[step] if d > 0]
        out.append((step, len(rows[step]), len(late), round(mean(late), 1) if late else 0.0))
    return out


def ratings(values, years, scale=5):
    """{year: (answers, mean, [count of 1, 2, … scale])} from (year, rating) pairs."""
    out = {}
    for year in years:
        mine = [r for y, r in values if y == year]
        counts = [sum(1 for r in mine if r == v) for v in range(1, scale + 1)]
        out[year] = (len(mine), round(mean(mine), 2) if mine else None, counts)
    return out
