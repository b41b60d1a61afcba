"""The report's plots, drawn by matplotlib (the `insights` extra) as SVG or PNG bytes.

Figures are built with `matplotlib.figure.Figure` (no pyplot, no global state); SVG output keeps
text as text and carries no date or random ids, so one report renders to the same bytes twice.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from matplotlib import rc_context
from matplotlib.figure import Figure

from .metrics import Insights

HOUR = 3600.0
LEAD_BINS = ((0, HOUR, "< 1h"), (HOUR, 4 * HOUR, "1-4h"), (4 * HOUR, 24 * HOUR, "4-24h"))
LEAD_BINS += ((24 * HOUR, 72 * HOUR, "1-3d"), (72 * HOUR, 168 * HOUR, "3-7d"), (168 * HOUR, float("inf"), "> 7d"))
"""Lead-time classes of the distribution plot: [low, high) seconds and label."""

COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd")
FAILED = "#c44e52"
TOP_TEAMS = 20
"""Teams shown in the per-team plot (most deployments first)."""

_STYLE = {
    "svg.hashsalt": "platform-kit",
    "svg.fonttype": "none",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.axisbelow": True,
}


def _colour(n: int) -> str:
    return COLOURS[n % len(COLOURS)]


def weekly_trend(insights: Insights) -> Figure:
    """Deployments per week, stacked by environment, failures marked; median lead time per week below."""
    weeks = sorted({w.start for w in insights.trend})
    envs = list(insights.layout.environments)
    fig = Figure(figsize=(9, 5.2), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    x = list(range(len(weeks)))
    base = [0] * len(weeks)
    cells = {(w.start, w.environment): w for w in insights.trend}
    for n, env in enumerate(envs):
        counts = [cells[(week, env)].deployments for week in weeks]
        top.bar([i - 0.12 for i in x], counts, bottom=base, color=_colour(n), label=env, width=0.6)
        base = [b + c for b, c in zip(base, counts, strict=True)]
    failed = [sum(cells[(week, env)].failures for env in envs) for week in weeks]
    top.bar([i + 0.3 for i in x], failed, color=FAILED, width=0.22, label="failed")
    top.set_ylabel("deployments (per environment)")
    top.set_title("Deployments per week", loc="left")
    top.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=min(len(envs) + 1, 7), fontsize=8, frameon=False)
    for n, env in enumerate(envs):
        values = [cells[(week, env)].lead_time_median for week in weeks]
        hours = [v / HOUR if v is not None else float("nan") for v in values]
        bottom.plot(x, hours, marker="o", markersize=3, color=_colour(n), label=env)
    bottom.set_ylabel("median lead time (h)")
    bottom.set_title("Lead time per week", loc="left")
    labels = [week.isoformat() for week in weeks]
    step = max(len(weeks) // 12, 1)
    bottom.set_xticks(x[::step], labels[::step], rotation=30, ha="right")
    return fig


def lead_time_distribution(insights: Insights) -> Figure:
    """How many deployments took how long from first commit to the branch, per environment."""
    envs = list(insights.layout.environments)
    fig = Figure(figsize=(9, 3.0), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / max(len(envs), 1)
    people = [c for c in insights.changes if c.is_deployment and not c.by_library]
    for n, env in enumerate(envs):
        leads = [c.lead_time for c in people if env in c.environments]
        counts = [sum(1 for lead in leads if low <= lead < high) for low, high, _ in LEAD_BINS]
        ax.bar([i + (n - (len(envs) - 1) / 2) * width for i in range(len(LEAD_BINS))], counts, width, color=_colour(n))
        ax.bar([0], [0], color=_colour(n), label=env)
    ax.set_xticks(range(len(LEAD_BINS)), [label for _, _, label in LEAD_BINS])
    ax.set_xlabel("lead time (first commit of a change to its arrival on the branch)")
    ax.set_ylabel("deployments")
    ax.set_title("Distribution of lead times", loc="left")
    ax.legend(frameon=False, fontsize=8)
    return fig


def per_environment(insights: Insights) -> Figure:
    """The four DORA figures side by side for each environment."""
    envs = list(insights.environments)
    figures = [insights.environments[env] for env in envs]
    fig = Figure(figsize=(9, 0.5 + 0.45 * max(len(envs), 2)), layout="constrained")
    axes = fig.subplots(1, 4, sharey=True)
    panels = (
        ("deployments / week", [f.per_week for f in figures], "{:.1f}"),
        ("median lead time (h)", [(f.lead_time_median or 0) / HOUR for f in figures], "{:.1f}"),
        ("change failure rate (%)", [100 * (f.change_failure_rate or 0) for f in figures], "{:.0f}%"),
        ("median time to restore (h)", [(f.restore_median or 0) / HOUR for f in figures], "{:.1f}"),
    )
    y = list(range(len(envs)))
    for ax, (title, values, label) in zip(axes, panels, strict=True):
        ax.barh(y, values, color=[_colour(n) for n in y], height=0.6)
        ax.set_title(title, fontsize=9)
        ax.grid(axis="y", visible=False)
        for row, value in zip(y, values, strict=True):
            ax.annotate(label.format(value), (value, row), xytext=(3, 0), textcoords="offset points", va="center")
        ax.margins(x=0.3)
    axes[0].set_yticks(y, envs)
    axes[0].invert_yaxis()
    return fig


def per_team(insights: Insights) -> Figure:
    """Deployments per team (the most active first), the failed part in red."""
    rows = sorted(insights.teams.items(), key=lambda item: (-item[1].deployments, item[0]))[:TOP_TEAMS]
    names = [name for name, _ in rows]
    fig = Figure(figsize=(9, 0.6 + 0.28 * max(len(rows), 2)), layout="constrained")
    ax = fig.subplots()
    y = list(range(len(rows)))
    good = [f.deployments - f.failures for _, f in rows]
    bad = [f.failures for _, f in rows]
    ax.barh(y, good, color=COLOURS[0], height=0.7, label="deployments")
    ax.barh(y, bad, left=good, color=FAILED, height=0.7, label="failed")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel("deployments")
    shown = f" (top {TOP_TEAMS} of {len(insights.teams)})" if len(insights.teams) > TOP_TEAMS else ""
    ax.set_title(f"Deployments per team{shown}", loc="left")
    fig.legend(frameon=False, fontsize=8, loc="outside right upper")
    return fig


PLOTS: dict[str, tuple[str, Callable[[Insights], Figure]]] = {
    "trend": (
        "Per week: deployments to each environment (a change that reaches three environments counts three times), "
        "the failed ones in red; below, the median lead time of each week's deployments.",
        weekly_trend,
    ),
    "lead-times": (
        "How long changes took from their first commit to the branch, per environment.",
        lead_time_distribution,
    ),
    "environments": ("The four figures per environment over the whole period.", per_environment),
    "teams": ("Deployments that changed each team's directories; the failed part in red.", per_team),
}
"""Plot name -> (caption, drawing function), in the report's order."""


def render(figure: Figure, fmt: str = "svg") -> bytes:
    """The figure as SVG or PNG bytes (no date in the metadata)."""
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    with rc_context(_STYLE):
        figure.savefig(buffer, format=fmt, metadata=metadata, dpi=110)
    return buffer.getvalue()


def draw_all(insights: Insights, fmt: str = "svg") -> dict[str, bytes]:
    """Every plot of the report, by name."""
    out = {}
    for name, (_, draw) in PLOTS.items():
        with rc_context(_STYLE):
            figure = draw(insights)
        out[name] = render(figure, fmt)
    return out
