"""The report as one self-contained HTML page: headline figures, plots (inline SVG), tables.

No script, no stylesheet or font from elsewhere: the file can be mailed, archived as a CI
artefact or opened offline. The plots need matplotlib (the `insights` extra).
"""

from __future__ import annotations

from html import escape

from platform_kit.text import plural

from .metrics import Change, Figures, Insights
from .output import PLATFORM_ROW
from .units import format_duration, iso_time

_CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; margin: 0; background: #f6f7f9; }
main { max-width: 1000px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #666; margin-bottom: 16px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; }
.card { background: #fff; border-radius: 8px; padding: 12px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.card b { display: block; font-size: 24px; } .card span { color: #666; font-size: 12px; }
figure { background: #fff; border-radius: 8px; margin: 12px 0; padding: 8px;
  box-shadow: 0 1px 2px rgba(0,0,0,.08); }
figure svg { width: 100%; height: auto; display: block; } figcaption { color: #666; font-size: 12px; padding: 4px; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e5e5e5; text-align: right; }
th:first-child, td:first-child { text-align: left; } th { background: #eef0f3; }
td.failed { color: #c44e52; font-weight: 600; } td.l, th.l { text-align: left; }
.small { color: #666; font-size: 12px; }
"""


def _card(value: str, label: str) -> str:
    return f'<div class="card"><b>{escape(value)}</b><span>{escape(label)}</span></div>'


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _figures_table(title: str, rows: list[tuple[str, Figures]]) -> str:
    head = "".join(
        f"<th>{escape(h)}</th>"
        for h in (title, "deployments", "per week", "lead time p50", "lead time p90", "failed", "CFR", "restore p50")
    )
    body = []
    for name, f in rows:
        cells = (
            f"<td>{escape(name)}</td><td>{f.deployments}</td><td>{f.per_week:.1f}</td>"
            f"<td>{format_duration(f.lead_time_median)}</td><td>{format_duration(f.lead_time_p90)}</td>"
            f"<td{' class=failed' if f.failures else ''}>{f.failures}</td><td>{_rate(f.change_failure_rate)}</td>"
            f"<td>{format_duration(f.restore_median)}</td>"
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _failures_table(changes: list[Change]) -> str:
    failed = [c for c in changes if c.failure is not None]
    if not failed:
        return '<p class="small">No deployment was reverted or fixed forward within the window.</p>'
    by_sha = {c.landing.sha: c for c in changes}
    rows = []
    for change in failed:
        assert change.failure is not None
        restoring = by_sha.get(change.failure.by)
        envs = ", ".join(sorted(change.environments))
        by = restoring.landing.title if restoring else change.failure.by
        rows.append(
            f"<tr><td>{escape(change.landing.title)}</td><td class=l>{escape(envs)}</td>"
            f"<td class=l>{iso_time(change.landing.landed_at)[:16].replace('T', ' ')}</td>"
            f"<td class=l>{escape(change.failure.how)}: {escape(by)}"
            f"</td><td>{format_duration(change.failure.seconds)}</td></tr>"
        )
    head = (
        "<tr><th>failed change</th><th class=l>environments</th><th class=l>landed (UTC)</th>"
        "<th class=l>restored by</th><th>after</th></tr>"
    )
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _library(insights: Insights) -> str:
    rows = [
        f"<tr><td>{escape(env)}</td><td>{f.seeds}</td><td>{f.upgrades}</td><td>{f.failures}</td></tr>"
        for env, f in insights.library.items()
        if f.seeds or f.upgrades
    ]
    if not rows:
        return '<p class="small">No seed or upgrade commit of platform-kit in this period.</p>'
    head = "<tr><th>environment</th><th>seeds</th><th>upgrades merged</th><th>failed</th></tr>"
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def to_html(insights: Insights, source: str, plots: dict[str, bytes], captions: dict[str, str]) -> str:
    """The whole page; `plots` are SVG documents by name (see `plots.draw_all`)."""
    totals = insights.totals
    figures = "".join(
        f"<figure>{_inline_svg(svg)}<figcaption>{escape(captions.get(name, name))}</figcaption></figure>"
        for name, svg in plots.items()
    )
    meta = (
        f"{escape(source)} &middot; branch {escape(insights.branch)} at <code>{insights.head[:12]}</code> &middot; "
        f"{iso_time(insights.start)[:10]} to {iso_time(insights.end)[:10]} ({plural(insights.weeks, 'week')}) "
        f"&middot; failure window {format_duration(insights.window)} &middot; environments from "
        f"{escape(insights.layout.origin)}"
    )
    team_rows = [*insights.teams.items(), (PLATFORM_ROW, insights.platform)]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Delivery insight: {escape(source)}</title><style>{_CSS}</style></head>
<body><main>
<h1>Delivery insight</h1>
<div class="meta">{meta}</div>
<div class="cards">
{_card(f"{totals.per_week:.1f}", f"deployments per week ({totals.deployments} in all)")}
{_card(format_duration(totals.lead_time_median), "median lead time")}
{_card(_rate(totals.change_failure_rate), f"change failure rate ({totals.failures} failed)")}
{_card(format_duration(totals.restore_median), "median time to restore")}
</div>
{figures}
<h2>Per environment</h2>
{_figures_table("environment", [*insights.environments.items(), ("all", totals)])}
<h2>Per team</h2>
{_figures_table("team", team_rows)}
<h2>Failed deployments</h2>
{_failures_table(insights.changes)}
<h2>Made by platform-kit</h2>
<p class="small">Seed commits and merged upgrade proposals of platform-kit, counted apart from the figures above.</p>
{_library(insights)}
<p class="small">Deployments are landings on {escape(insights.branch)} that change what an environment reconciles;
a failure is a revert or a fix-forward within {format_duration(insights.window)}. How each figure is worked out,
and where the heuristics stop, is in the platform-kit docs (Delivery insight).</p>
</main></body></html>
"""


def _inline_svg(svg: bytes) -> str:
    """An SVG document as an element to inline (its XML declaration and DOCTYPE dropped)."""
    text = svg.decode("utf-8")
    return text[text.index("<svg") :]
