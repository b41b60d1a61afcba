"""Delivery insight: DORA metrics of a config repo's history (`platform-kit insights`).

Pure over Git (dulwich, no git binary, no Pulumi): `source` opens a local clone or fetches a
remote with the publisher's transport, `history` turns the branch into landings, `layout` says
which environments and team each path reaches, `metrics` computes the figures, and `output`,
`html` and `plots` (matplotlib, the `insights` extra) present them. See docs/delivery-insight.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .history import History, Landing, read_history
from .layout import Layout, Scope, layout_from_configs, layout_from_paths, scope_of
from .metrics import DEFAULT_WINDOW, Change, Figures, Insights, compute_insights
from .source import SourceError, open_branch

if TYPE_CHECKING:
    from platform_kit.config.models import PlatformConfig
    from platform_kit.publish.auth import GitAuth

__all__ = [
    "DEFAULT_WINDOW",
    "Change",
    "Figures",
    "History",
    "Insights",
    "Landing",
    "Layout",
    "Scope",
    "SourceError",
    "compute_insights",
    "insights_of",
    "layout_from_configs",
    "layout_from_paths",
    "open_branch",
    "read_history",
    "scope_of",
]


def insights_of(
    source: str,
    *,
    branch: str | None = None,
    auth: GitAuth | None = None,
    configs: Iterable[PlatformConfig] = (),
    window: int = DEFAULT_WINDOW,
    since: int | None = None,
) -> tuple[Insights, str]:
    """Read `source`'s branch and compute its insights; returns them and a printable name of the source.

    The environments come from `configs` (stack configs sharing this repo) when given, else
    from the directory conventions (every `clusters/<env>/`)."""
    with open_branch(source, branch, auth) as opened:
        history = read_history(opened.store, opened.head, opened.branch)
        display = opened.display
    if not history.landings:
        raise SourceError(
            f"{display} has nothing to read on {history.branch} but its head (a shallow clone of depth 1?)"
        )
    configs = list(configs)
    paths = {path for landing in history.landings for path in landing.paths}.union(history.files)
    layout = layout_from_configs(configs, paths) if configs else layout_from_paths(paths)
    return compute_insights(history, layout, window=window, since=since), display
