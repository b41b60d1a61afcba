"""DORA metrics of a config repo's history, per environment and per team (pure).

- **Deployment**: a landing (see `history`) that changes a path an environment reconciles
  (`layout.scope_of`); one landing is one deployment to each environment it reaches.
- **Lead time**: landing time minus the earliest author time of the commits it brought.
- **Change failure**: a deployment that is reverted, or fixed forward, within the window after it
  landed. A revert names its target (`This reverts commit <sha>`, or `Revert "<title>"`); a fix
  names it with `Fixes: <sha>`, or else restores the latest deployment before it, within the
  window, that changed one of the same files and is neither a revert nor a fix itself.
  Reverting a revert (a re-land) is not a failure.
- **Time to restore**: from the failed deployment's landing to the first landing that reverted or
  fixed it.

Changes platform-kit made (seeds, upgrades) are deployments too, and fail the same way, but are
counted apart (`Insights.library`), never in the people's figures.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from . import units
from .history import History, Landing
from .layout import Layout, scope_of

DEFAULT_WINDOW = 7 * 86400
"""Seconds after a deployment within which a revert or a fix makes it a failure."""

ChangeKind = Literal["change", "revert", "fix", "seed", "upgrade"]
RestoreHow = Literal["revert", "fix-forward"]


@dataclass(frozen=True)
class Failure:
    """How a failed deployment was restored."""

    by: str
    """Sha of the landing that reverted or fixed it."""
    how: RestoreHow
    """`revert` or `fix-forward`."""
    seconds: int
    """Time to restore: from its landing to the restoring landing."""


@dataclass(frozen=True)
class Change:
    """A landing as the metrics see it."""

    landing: Landing
    """The landing itself."""
    kind: ChangeKind
    """`seed` / `upgrade` (platform-kit's), `revert`, `fix`, or `change`."""
    environments: frozenset[str]
    """Environments it deployed to (empty: not a deployment)."""
    teams: frozenset[str]
    """Teams whose paths it changed."""
    platform: bool
    """Whether it changed platform-owned paths an environment reconciles."""
    lead_time: int
    """Seconds from the first authored commit to the landing (never negative)."""
    failure: Failure | None = None
    """Set when the deployment failed."""

    @property
    def is_deployment(self) -> bool:
        """Whether it reached an environment."""
        return bool(self.environments)

    @property
    def by_library(self) -> bool:
        """Whether platform-kit made it."""
        return self.kind in ("seed", "upgrade")


@dataclass(frozen=True)
class Figures:
    """DORA figures of one group of deployments over the period."""

    deployments: int
    """Deployments in the period."""
    per_week: float
    """Deployments per week of the period."""
    lead_time_median: float | None
    """Median lead time (seconds)."""
    lead_time_p90: float | None
    """90th percentile lead time (seconds, nearest rank)."""
    failures: int
    """Failed deployments."""
    change_failure_rate: float | None
    """failures / deployments."""
    restore_median: float | None
    """Median time to restore (seconds)."""
    restore_mean: float | None
    """Mean time to restore (seconds)."""


@dataclass(frozen=True)
class Week:
    """One week's deployments to one environment."""

    start: date
    """Monday of the week (UTC)."""
    environment: str
    """Environment."""
    deployments: int
    """Deployments that week."""
    failures: int
    """Of which failed."""
    lead_time_median: float | None
    """Median lead time of that week's deployments."""


@dataclass(frozen=True)
class LibraryFigures:
    """What platform-kit itself deployed to one environment."""

    seeds: int
    """Seed commits."""
    upgrades: int
    """Upgrades and config changes merged from its proposal branches."""
    failures: int
    """Of these, reverted or fixed forward within the window."""


@dataclass(frozen=True)
class Insights:
    """Everything the report shows."""

    branch: str
    """Branch read."""
    head: str
    """Its head."""
    layout: Layout
    """Environments and where they came from."""
    window: int
    """Failure window (seconds)."""
    start: int
    """Start of the period (Unix seconds)."""
    end: int
    """End of the period: the last landing."""
    weeks: int
    """Calendar weeks the period spans."""
    totals: Figures
    """Every people's deployment."""
    environments: dict[str, Figures]
    """Per environment."""
    teams: dict[str, Figures]
    """Per team."""
    platform: Figures
    """Deployments of platform-owned paths (no team's)."""
    library: dict[str, LibraryFigures]
    """platform-kit's own deployments per environment."""
    trend: list[Week] = field(default_factory=list)
    """Per week and environment."""
    changes: list[Change] = field(default_factory=list)
    """Every landing of the period, oldest first."""
    landings_before: int = 0
    """Landings before the period (read, not reported)."""


def classify(history: History, layout: Layout) -> list[Change]:
    """Every landing with its environments, teams, kind and lead time (no failures yet)."""
    changes = []
    for landing in history.landings:
        scopes = [scope_of(path, layout) for path in landing.paths]
        environments = frozenset().union(*(s.environments for s in scopes))
        if landing.library is not None and landing.library_environment in layout.environments:
            environments = frozenset({landing.library_environment})  # a seed writes shared files for itself
        teams = frozenset(s.team for s in scopes if s.environments and s.team is not None)
        platform = any(s.environments and s.team is None for s in scopes)
        if landing.library is not None:
            kind: ChangeKind = landing.library
        elif landing.reverts or landing.reverts_title is not None:
            kind = "revert"
        elif landing.is_fix or landing.fixes:
            kind = "fix"
        else:
            kind = "change"
        lead = max(landing.landed_at - landing.first_authored_at, 0)
        changes.append(Change(landing, kind, environments, teams, platform, lead))
    return changes


def find_failures(changes: list[Change], history: History, window: int) -> list[Change]:
    """`changes` with `failure` set on each deployment reverted or fixed forward within `window`."""
    index = {change.landing.sha: n for n, change in enumerate(changes)}
    failures: dict[int, Failure] = {}

    def fail(target: int, by: int, how: RestoreHow) -> None:
        failed, restoring = changes[target], changes[by]
        seconds = restoring.landing.landed_at - failed.landing.landed_at
        if target < by and failed.is_deployment and seconds <= window and target not in failures:
            failures[target] = Failure(restoring.landing.sha, how, max(seconds, 0))

    for n, change in enumerate(changes):
        landing = change.landing
        targets = [history.resolve(sha) for sha in landing.reverts]
        for target in (index[sha] for sha in targets if sha is not None and sha in index):
            if changes[target].kind != "revert":  # reverting a revert re-lands the change: no failure
                fail(target, n, "revert")
        if landing.reverts_title is not None:
            for earlier in range(n - 1, -1, -1):
                if changes[earlier].landing.title == landing.reverts_title and changes[earlier].kind != "revert":
                    fail(earlier, n, "revert")
                    break
        if change.kind == "fix":
            named = [history.resolve(sha) for sha in landing.fixes]
            found = [index[sha] for sha in named if sha is not None and sha in index]
            for target in found or _fixed_by_overlap(changes, n, window):
                fail(target, n, "fix-forward")
    return [change if n not in failures else _with_failure(change, failures[n]) for n, change in enumerate(changes)]


def _fixed_by_overlap(changes: list[Change], n: int, window: int) -> list[int]:
    """The latest deployment before `changes[n]`, within the window, sharing a file, and no revert or fix."""
    fix = changes[n]
    paths = set(fix.landing.paths)
    for earlier in range(n - 1, -1, -1):
        candidate = changes[earlier]
        if fix.landing.landed_at - candidate.landing.landed_at > window:
            break
        if candidate.is_deployment and candidate.kind not in ("revert", "fix") and paths & set(candidate.landing.paths):
            return [earlier]
    return []


def _with_failure(change: Change, failure: Failure) -> Change:
    return Change(
        change.landing, change.kind, change.environments, change.teams, change.platform, change.lead_time, failure
    )


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile (the smallest value with at least `fraction` of the values at or below it)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def figures(changes: Iterable[Change], weeks: int) -> Figures:
    """The DORA figures of a group of deployments."""
    group = list(changes)
    leads = [float(c.lead_time) for c in group]
    restores = [float(c.failure.seconds) for c in group if c.failure is not None]
    return Figures(
        deployments=len(group),
        per_week=len(group) / weeks if weeks else 0.0,
        lead_time_median=statistics.median(leads) if leads else None,
        lead_time_p90=percentile(leads, 0.9),
        failures=len(restores),
        change_failure_rate=len(restores) / len(group) if group else None,
        restore_median=statistics.median(restores) if restores else None,
        restore_mean=statistics.fmean(restores) if restores else None,
    )


def compute_insights(
    history: History, layout: Layout, *, window: int = DEFAULT_WINDOW, since: int | None = None
) -> Insights:
    """The report of `history` under `layout`: deployments from `since` (default: the first landing) on."""
    every = find_failures(classify(history, layout), history, window)
    first = every[0].landing.landed_at if every else 0
    start = since if since is not None else first
    period = [c for c in every if c.landing.landed_at >= start]
    end = max([c.landing.landed_at for c in period], default=start)
    week_list = units.weeks_between(start, end)
    weeks = len(week_list)
    people = [c for c in period if c.is_deployment and not c.by_library]
    team_names = sorted(set(layout.teams).union(*(c.teams for c in every)))
    library = {
        env: LibraryFigures(
            seeds=sum(1 for c in period if c.kind == "seed" and env in c.environments),
            upgrades=sum(1 for c in period if c.kind == "upgrade" and env in c.environments),
            failures=sum(1 for c in period if c.by_library and env in c.environments and c.failure is not None),
        )
        for env in layout.environments
    }
    return Insights(
        branch=history.branch,
        head=history.head,
        layout=layout,
        window=window,
        start=start,
        end=end,
        weeks=weeks,
        totals=figures(people, weeks),
        environments={env: figures((c for c in people if env in c.environments), weeks) for env in layout.environments},
        teams={team: figures((c for c in people if team in c.teams), weeks) for team in team_names},
        platform=figures((c for c in people if c.platform), weeks),
        library=library,
        trend=_trend(people, layout, week_list),
        changes=period,
        landings_before=len(every) - len(period),
    )


def _trend(people: list[Change], layout: Layout, week_list: list[date]) -> list[Week]:
    by_week: dict[tuple[date, str], list[Change]] = {}
    for change in people:
        monday = units.week_start(change.landing.landed_at)
        for env in change.environments:
            by_week.setdefault((monday, env), []).append(change)
    trend = []
    for monday in week_list:
        for env in layout.environments:
            group = by_week.get((monday, env), [])
            leads = [float(c.lead_time) for c in group]
            trend.append(
                Week(
                    monday,
                    env,
                    len(group),
                    sum(1 for c in group if c.failure is not None),
                    statistics.median(leads) if leads else None,
                )
            )
    return trend
