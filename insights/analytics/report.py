"""The analytics page's charts: each one a title, a one-sentence reading, an SVG and the table
of its numbers (shown to screen readers and downloaded as Excel)."""

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from insights.analytics import charts, stats

MAX_LINES = 6  # arrival curves drawn (the table keeps every year)


@dataclass
class Chart:
    slug: str
    title: str
    reading: str
    svg: str
    headers: list
    rows: list


def _n(value, digits=1):
    return number_format(value, decimal_pos=digits) if value is not None else "—"


def _times(n):
    return ngettext("%(n)d time", "%(n)d times", n) % {"n": n}


def submissions_chart(data):
    counts = data.per_year
    submitted = [counts[y][0] for y in data.years]
    selected = [counts[y][1] for y in data.years]
    total = sum(submitted)
    if total:
        reading = _(
            "%(total)d submissions in %(years)d years, from %(low)d to %(high)d a year; "
            "%(selected)d selected."
        ) % {
            "total": total,
            "years": len(data.years),
            "low": min(submitted),
            "high": max(submitted),
            "selected": sum(selected),
        }
    else:
        reading = _("No submission in these years.")
    return Chart(
        "submissions",
        _("Submissions per year"),
        reading,
        charts.bars(
            _("Submissions per year"),
            data.years,
            [(_("submitted"), submitted), (_("selected"), selected)],
        ),
        [_("Academic year"), _("Submitted"), _("Selected")],
        [[y, counts[y][0], counts[y][1]] for y in data.years],
    )


DAYS = stats.DAYS


def arrival_chart(data):
    curves = data.arrival
    shown = [y for y in data.years if any(curves[y])][-MAX_LINES:]
    last_week = [100 - curves[y][DAYS.index(7)] for y in data.years if any(curves[y])]
    reading = (
        _("On average %(share)s%% of a year's submissions arrive in the last seven days.")
        % {"share": _n(sum(last_week) / len(last_week), 0)}
        if last_week
        else _("No submission in these years.")
    )
    labels = [_("%(days)d d") % {"days": d} for d in DAYS]
    return Chart(
        "arrival",
        _("Arrival of the submissions before the deadline"),
        reading,
        charts.lines(
            _("Share of the submissions in, by days before the deadline"),
            labels,
            [(y, curves[y]) for y in shown],
            unit="%",
            max_value=100,
        ),
        [_("Academic year")] + [_("%(days)d days before (%%)") % {"days": d} for d in DAYS],
        [[y] + curves[y] for y in data.years],
    )


def acceptance_chart(data, key, slug, title, headers_label):
    rows, years_of = data.acceptance[key]
    if rows:
        # The value that answers most and is selected least: the sentence a coordinator needs.
        worst = min(rows, key=lambda r: (r[3], -r[1]))
        years = years_of[worst[0]]
        reading = _(
            "%(value)s: submitted %(submitted)s in %(years)d year(s), selected %(selected)s."
        ) % {
            "value": worst[0],
            "submitted": _times(worst[1]),
            "years": years,
            "selected": _times(worst[2]),
        }
    else:
        reading = _("No submission in these years.")
    return Chart(
        slug,
        title,
        reading,
        charts.bars(
            title,
            [r[0] for r in rows],
            [(_("acceptance rate"), [r[3] for r in rows])],
            unit="%",
            max_value=100,
        ),
        [headers_label, _("Submitted"), _("Selected"), _("Acceptance rate (%)")],
        [list(r) for r in rows],
    )


def heatmap_chart(data):
    sectors, cells = data.heatmap
    top = max((v[0] for v in cells.values()), default=0) or 1
    shaded = {
        (year, sector): (
            cells[(year, sector)][0] / top,
            "{}/{}".format(*cells[(year, sector)]),
        )
        for (year, sector) in cells
    }
    never = [s for s in sectors if sum(cells.get((y, s), (0, 0))[1] for y in data.years) == 0]
    reading = (
        _("Never selected in these years despite submitting: %(sectors)s.")
        % {"sectors": ", ".join(never)}
        if never
        else _("Every sector that submitted was selected at least once.")
        if sectors
        else _("No submission in these years.")
    )
    return Chart(
        "heatmap",
        _("Submitted / selected, by year and sector"),
        reading,
        charts.grid(_("Submitted / selected, by year and sector"), data.years, sectors, shaded),
        [_("Academic year")]
        + [_("%(sector)s (submitted/selected)") % {"sector": s} for s in sectors],
        [[y] + ["{}/{}".format(*cells.get((y, s), (0, 0))) for s in sectors] for y in data.years],
    )


def returning_chart(data):
    counts = data.returning
    first = [counts[y][0] for y in data.years]
    back = [counts[y][1] for y in data.years]
    total = sum(first) + sum(back)
    reading = (
        _("%(share)s%% of the institutions of these years had submitted in an earlier year.")
        % {"share": _n(100 * sum(back) / total, 0)}
        if total
        else _("No submission in these years.")
    )
    return Chart(
        "returning",
        _("First-time and returning institutions"),
        reading,
        charts.bars(
            _("First-time and returning institutions"),
            data.years,
            [(_("first time"), first), (_("returning"), back)],
        ),
        [_("Academic year"), _("First time"), _("Returning")],
        [[y, counts[y][0], counts[y][1]] for y in data.years],
    )


def load_chart(data):
    load = data.load
    names = [data.reviewers.get(r, "?") for r, _n in load]
    if load:
        reading = _(
            "%(name)s reviewed the most: %(n)d commissions; %(count)d reviewers in all."
        ) % {
            "name": names[0],
            "n": load[0][1],
            "count": len(load),
        }
    else:
        reading = _("No review in these years.")
    return Chart(
        "load",
        _("Reviewer load"),
        reading,
        charts.bars(
            _("Commissions reviewed per reviewer"), names, [(_("reviewed"), [n for _r, n in load])]
        ),
        [_("Reviewer"), _("Commissions reviewed")],
        [[name, n] for name, (_r, n) in zip(names, load, strict=True)],
    )


def agreement_chart(data):
    spread = data.agreement
    values = [spread[y][1] for y in data.years]
    known = [v for v in values if v is not None]
    reading = (
        _("Reviewers' mean scores differ by %(spread)s point(s) on average (0: full agreement).")
        % {"spread": _n(sum(known) / len(known), 2)}
        if known
        else _("No commission had two reviewers in these years.")
    )
    return Chart(
        "agreement",
        _("Reviewers' agreement (spread)"),
        reading,
        charts.bars(_("Mean spread between reviewers"), data.years, [(_("spread"), values)]),
        [_("Academic year"), _("Commissions with 2+ reviewers"), _("Mean spread")],
        [[y, spread[y][0], spread[y][1]] for y in data.years],
    )


def rank_chart(data):
    profile = data.ranks
    labels = [_("1st"), _("2nd"), _("3rd"), _("4th"), _("5th"), _("lower")]
    total = sum(sum(v) for v in profile.values())
    firsts = sum(v[0] for v in profile.values())
    reading = (
        _("%(first)s%% of the students got their first choice, %(two)s%% one of their first two.")
        % {
            "first": _n(100 * firsts / total, 0),
            "two": _n(100 * (firsts + sum(v[1] for v in profile.values())) / total, 0),
        }
        if total
        else _("No team formed from rankings in these years.")
    )
    return Chart(
        "ranks",
        _("Choice the students got, per year"),
        reading,
        charts.bars(
            _("Students per choice obtained"),
            data.years,
            [(label, [profile[y][i] for y in data.years]) for i, label in enumerate(labels)],
        ),
        [_("Academic year")] + labels,
        [[y] + profile[y] for y in data.years],
    )


def lateness_chart(data):
    rows = data.lateness
    labels = [data.step_labels.get(step, step) for step, *_rest in rows]
    shares = [round(100 * late / n, 1) if n else 0 for _s, n, late, _d in rows]
    if rows and max(shares) > 0:
        i = shares.index(max(shares))
        reading = _(
            "%(step)s is the step most often late: %(late)d of %(n)d, by %(days)s days on average."
        ) % {"step": labels[i], "late": rows[i][2], "n": rows[i][1], "days": _n(rows[i][3])}
    elif rows:
        reading = _("No step was late in these years.")
    else:
        reading = _("No milestone in these years.")
    return Chart(
        "lateness",
        _("Milestone lateness per step"),
        reading,
        charts.bars(
            _("Share of milestones late"), labels, [(_("late"), shares)], unit="%", max_value=100
        ),
        [_("Step"), _("Milestones"), _("Late"), _("Late (%)"), _("Mean days late")],
        [
            [label, n, late, share, days]
            for label, (_s, n, late, days), share in zip(labels, rows, shares, strict=True)
        ],
    )


def ratings_chart(slug, title, result, years, empty):
    means = [result[y][1] for y in years]
    answers = sum(result[y][0] for y in years)
    known = [(result[y][0], result[y][1]) for y in years if result[y][1] is not None]
    reading = (
        _("%(answers)d answers, %(mean)s out of 5 on average.")
        % {"answers": answers, "mean": _n(sum(n * m for n, m in known) / answers, 1)}
        if answers
        else empty
    )
    return Chart(
        slug,
        title,
        reading,
        charts.bars(title, years, [(_("mean (1–5)"), means)], max_value=5),
        [_("Academic year"), _("Answers"), _("Mean")] + [str(v) for v in range(1, 6)],
        [[y, result[y][0], result[y][1]] + result[y][2] for y in years],
    )


def build(data):
    """Every chart of the page, in the order the coordinator reads them."""
    return [
        submissions_chart(data),
        arrival_chart(data),
        acceptance_chart(data, "sector", "sectors", _("Acceptance rate by sector"), _("Sector")),
        acceptance_chart(data, "type", "types", _("Acceptance rate by type"), _("Type")),
        acceptance_chart(
            data,
            "context",
            "contexts",
            _("Acceptance rate by intervention context"),
            _("Intervention context"),
        ),
        heatmap_chart(data),
        returning_chart(data),
        load_chart(data),
        agreement_chart(data),
        rank_chart(data),
        lateness_chart(data),
        ratings_chart(
            "usefulness",
            _("Institutions' usefulness ratings"),
            data.usefulness,
            data.years,
            _("No feedback from the institutions in these years."),
        ),
        ratings_chart(
            "satisfaction",
            _("Students' satisfaction"),
            data.satisfaction,
            data.years,
            _("No survey answer from the students in these years."),
        ),
    ]
