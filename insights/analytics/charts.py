"""Server-rendered SVG charts: bars, lines and a heatmap, no script and no CDN.

Pure: plain numbers and labels in, an SVG string out. Each chart scales to its container
(viewBox), names itself for screen readers (role="img", <title>) and leaves the numbers to
the data table the page prints beside it.
"""

from html import escape

# Okabe–Ito colours: told apart by people with colour-blindness, and printed in the legend.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999"]
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 28, 56


def _nice_max(value):
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 5:
            return step * ((int(value) + step - 1) // step or 1)
    return value


def _open(title, width=WIDTH, height=HEIGHT):
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" class="chart" preserveAspectRatio="xMidYMid meet" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]


def _divisions(top_value):
    """4 gridlines when a quarter is a round number (or below 1), else 5 when a fifth is."""
    if top_value <= 1 or float(top_value / 4).is_integer():
        return 4
    return 5 if float(top_value / 5).is_integer() else 4


def _axis(parts, top_value, unit=""):
    plot_h = HEIGHT - TOP - BOTTOM
    n = _divisions(top_value)
    for i in range(n + 1):
        value = top_value * i / n
        y = TOP + plot_h - plot_h * i / n
        label = f"{value:g}{unit}"
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#dee2e6" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#495057">'
            f"{escape(label)}</text>"
        )


def _legend(parts, names):
    x = LEFT
    for i, name in enumerate(names):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="16" fill="#212529">{escape(str(name))}</text>'
        )
        x += 24 + 7 * len(str(name))


def _x_label(x, text, count):
    text = str(text)
    room = int((WIDTH - LEFT - RIGHT) / max(1, count) / 6.5)  # characters that fit
    if len(text) > room:
        text = text[: max(3, room - 1)] + "…"
    return (
        f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" fill="#212529">'
        f"{escape(text)}</text>"
    )


def bars(title, categories, series, unit="", max_value=None):
    """Grouped vertical bars: one group per category, one bar per (name, values) series."""
    parts = _open(title)
    values = [v or 0 for _name, vs in series for v in vs]
    top_value = max_value or _nice_max(max(values, default=0))
    _axis(parts, top_value, unit)
    if len(series) > 1:
        _legend(parts, [name for name, _v in series])
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    group = plot_w / max(1, len(categories))
    bar = group * 0.8 / max(1, len(series))
    for c, category in enumerate(categories):
        x0 = LEFT + c * group + group * 0.1
        for s, (_name, vs) in enumerate(series):
            value = vs[c] or 0
            h = plot_h * min(value, top_value) / top_value
            parts.append(
                f'<rect x="{x0 + s * bar:.1f}" y="{TOP + plot_h - h:.1f}" '
                f'width="{max(bar - 1, 1):.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[s % len(PALETTE)]}"/>'
            )
        parts.append(_x_label(LEFT + c * group + group / 2, category, len(categories)))
    parts.append("</svg>")
    return "".join(parts)


def lines(title, x_labels, series, unit="", max_value=None):
    """One line per (name, values) series over the same x labels."""
    parts = _open(title)
    values = [v for _name, vs in series for v in vs if v is not None]
    top_value = max_value or _nice_max(max(values, default=0))
    _axis(parts, top_value, unit)
    _legend(parts, [name for name, _v in series])
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(x_labels) - 1)
    for i, label in enumerate(x_labels):
        parts.append(_x_label(LEFT + i * step, label, len(x_labels)))
    for s, (_name, vs) in enumerate(series):
        points = " ".join(
            f"{LEFT + i * step:.1f},{TOP + plot_h - plot_h * min(v, top_value) / top_value:.1f}"
            for i, v in enumerate(vs)
            if v is not None
        )
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{PALETTE[s % len(PALETTE)]}" '
            f'stroke-width="2.5"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def grid(title, rows, columns, cells):
    """A heatmap: `cells[(row, column)]` = (shade 0–1, text); darker is more."""
    cell_w = max(36, min(90, (WIDTH - 150) / max(1, len(columns))))
    cell_h = 26
    width = int(150 + cell_w * len(columns) + 8)
    height = int(TOP + cell_h * len(rows) + 110)
    parts = _open(title, width, height)
    for c, column in enumerate(columns):
        x = 150 + c * cell_w + cell_w / 2
        text = str(column)
        parts.append(
            f'<text x="{x:.1f}" y="{TOP + cell_h * len(rows) + 14}" text-anchor="end" '
            f'transform="rotate(-35 {x:.1f} {TOP + cell_h * len(rows) + 14})" fill="#212529">'
            f"{escape(text[:18] + ('…' if len(text) > 18 else ''))}</text>"
        )
    for r, row in enumerate(rows):
        y = TOP + r * cell_h
        parts.append(
            f'<text x="144" y="{y + 17}" text-anchor="end" fill="#212529">{escape(str(row))}</text>'
        )
        for c, column in enumerate(columns):
            shade, text = cells.get((row, column), (0, ""))
            # From white to the primary blue; dark cells get white text (contrast >= 4.5).
            r_, g_, b_ = (int(255 - (255 - t) * shade) for t in (29, 92, 140))
            ink = "#ffffff" if shade > 0.55 else "#212529"
            x = 150 + c * cell_w
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{cell_w - 2:.1f}" height="{cell_h - 2}" '
                f'fill="rgb({r_},{g_},{b_})" stroke="#dee2e6"/>'
                f'<text x="{x + cell_w / 2 - 1:.1f}" y="{y + 17}" text-anchor="middle" '
                f'fill="{ink}">{escape(str(text))}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
