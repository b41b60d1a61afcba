"""The report as a table for people and as JSON for machines."""

from __future__ import annotations

from typing import Any

from platform_kit.text import plural

from .metrics import Change, Figures, Insights
from .units import format_duration, iso_time

FORMAT = 1
"""Version of the JSON document's layout."""

PLATFORM_ROW = "(platform)"
"""Table row of the deployments of platform-owned paths (no team's)."""


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _figures_json(figures: Figures) -> dict[str, Any]:
    return {
        "deployments": figures.deployments,
        "deploymentsPerWeek": round(figures.per_week, 3),
        "leadTimeSeconds": {"median": figures.lead_time_median, "p90": figures.lead_time_p90},
        "failures": figures.failures,
        "changeFailureRate": None if figures.change_failure_rate is None else round(figures.change_failure_rate, 4),
        "timeToRestoreSeconds": {"median": figures.restore_median, "mean": figures.restore_mean},
    }


def _change_json(change: Change) -> dict[str, Any]:
    landing, failure = change.landing, change.failure
    return {
        "sha": landing.sha,
        "landedAt": iso_time(landing.landed_at),
        "title": landing.title,
        "kind": change.kind,
        "pullRequest": landing.pull_request,
        "branch": landing.branch,
        "merge": landing.merge,
        "commits": landing.commits,
        "environments": sorted(change.environments),
        "teams": sorted(change.teams),
        "platform": change.platform,
        "leadTimeSeconds": change.lead_time,
        "failed": failure is not None,
        "restoredBy": failure.by if failure else None,
        "restoredHow": failure.how if failure else None,
        "timeToRestoreSeconds": failure.seconds if failure else None,
    }


def to_json(insights: Insights, source: str) -> dict[str, Any]:
    """The whole report as one JSON document (`format` 1)."""
    return {
        "format": FORMAT,
        "source": source,
        "branch": insights.branch,
        "head": insights.head,
        "layout": insights.layout.origin,
        "period": {"start": iso_time(insights.start), "end": iso_time(insights.end), "weeks": insights.weeks},
        "windowSeconds": insights.window,
        "totals": _figures_json(insights.totals),
        "environments": {env: _figures_json(f) for env, f in insights.environments.items()},
        "teams": {team: _figures_json(f) for team, f in insights.teams.items()},
        "platform": _figures_json(insights.platform),
        "library": {
            env: {"seeds": f.seeds, "upgrades": f.upgrades, "failures": f.failures}
            for env, f in insights.library.items()
        },
        "weeks": [
            {
                "week": week.start.isoformat(),
                "environment": week.environment,
                "deployments": week.deployments,
                "failures": week.failures,
                "leadTimeMedianSeconds": week.lead_time_median,
            }
            for week in insights.trend
        ],
        "changes": [_change_json(change) for change in insights.changes],
        "landingsBeforePeriod": insights.landings_before,
    }


HEADERS = ("deploys", "/week", "lead p50", "lead p90", "failed", "CFR", "restore p50")


def _row(name: str, figures: Figures) -> tuple[str, ...]:
    return (
        name,
        str(figures.deployments),
        f"{figures.per_week:.1f}",
        format_duration(figures.lead_time_median),
        format_duration(figures.lead_time_p90),
        str(figures.failures),
        _rate(figures.change_failure_rate),
        format_duration(figures.restore_median),
    )


def _table(title: str, rows: list[tuple[str, ...]]) -> list[str]:
    header = (title, *HEADERS)
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(cells).rstrip()

    return [line(header), *(line(row) for row in rows)]


def to_table(insights: Insights, source: str) -> str:
    """The report as aligned plain-text tables."""
    lines = [
        f"{source} ({insights.branch} at {insights.head[:12]}), {iso_time(insights.start)[:10]} to "
        f"{iso_time(insights.end)[:10]} ({plural(insights.weeks, 'week')}), failure window "
        f"{format_duration(insights.window)}, environments from {insights.layout.origin}",
        "",
    ]
    env_rows = [_row(env, f) for env, f in insights.environments.items()]
    lines += _table("environment", [*env_rows, _row("all", insights.totals)])
    lines.append("")
    team_rows = [_row(team, f) for team, f in insights.teams.items()]
    lines += _table("team", [*team_rows, _row(PLATFORM_ROW, insights.platform)])
    library = [
        f"{env}: {plural(f.seeds, 'seed')}, {plural(f.upgrades, 'upgrade')}"
        + (f", {plural(f.failures, 'failure')}" if f.failures else "")
        for env, f in insights.library.items()
        if f.seeds or f.upgrades
    ]
    lines += ["", "made by platform-kit (not counted above): " + ("; ".join(library) if library else "none")]
    if insights.landings_before:
        lines.append(f"{plural(insights.landings_before, 'earlier landing')} read, not reported (--since)")
    return "\n".join(lines)
