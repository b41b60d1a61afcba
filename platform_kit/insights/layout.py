"""Which environments and which team a config-repo path reaches (pure).

The layout the library seeds (see `platform_kit.repo`), for environment `E` and team `T`:

    clusters/E/teams/T/**          E, team T (the team's platform side: namespaces, quota, access)
    clusters/E/**                  E (the agent's root: its own manifests, layers, teams.yaml)
    infrastructure/E/**            E (the environment's overlay)
    infrastructure/**              every environment (shared controllers, configs, policies)
    apps/E/**                      E
    apps/**                        every environment (apps/base)
    projects/**                    every environment (Argo CD AppProjects)
    teams/T/E/**                   E, team T (the team's overlay for E)
    teams/T/**                     every environment, team T (teams/T/base)
    .platform-kit/seed-E.json      E (the seed record; only platform-kit writes it)

`clusters/E` is the environment's directory: a stack with `repo.path` moves it, and
`layout_from_configs` takes that from the stack configs. Without a stack the environments
are the names found under `clusters/` (`layout_from_paths`); with stacks, those names that
no stack has are left out, and so are their `infrastructure/`, `apps/` and `teams/T/`
directories (`Layout.others`). Markdown files (`*.md`) and anything else (`.github/`,
top-level files) reach no environment: no agent applies them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from platform_kit.config.models import PlatformConfig

CLUSTERS = "clusters"
"""Top directory of the environments' directories (by convention; `repo.path` may move one)."""

SHARED_TOPS = ("infrastructure", "apps", "projects")
"""Top directories whose `<dir>/<env>/` belongs to one environment and the rest to every environment."""

TEAMS = "teams"
"""Top directory of the teams' own directories (`teams/<team>/base`, `teams/<team>/<env>/`)."""

RECORD_DIR = ".platform-kit"
"""Directory of the seed records (`.platform-kit/seed-<env>.json`)."""


@dataclass(frozen=True)
class Layout:
    """The environments of a config repo, each with its directory, and where that came from."""

    environments: Mapping[str, str]
    """Environment name -> its directory (`clusters/<env>` unless a stack's `repo.path` says otherwise)."""
    origin: str
    """How the environments were found: `stack <names>` or `conventions`."""
    teams: tuple[str, ...] = ()
    """Teams known beforehand (a stack's `teams`); teams found in the paths are added to the report."""
    others: frozenset[str] = frozenset()
    """Environments the repo holds but the report leaves out (found under `clusters/`, not in the stacks)."""


@dataclass(frozen=True)
class Scope:
    """What one changed path reaches."""

    environments: frozenset[str]
    """Environments whose agent applies the path."""
    team: str | None
    """The team whose directory holds the path; None: the platform's own."""


NOWHERE = Scope(frozenset(), None)


def scope_of(path: str, layout: Layout) -> Scope:
    """The environments and team a repo path reaches under `layout` (the one place this is decided)."""
    if path.endswith(".md"):
        return NOWHERE
    every = frozenset(layout.environments)
    for env, directory in layout.environments.items():
        if path.startswith(directory + "/"):
            rest = path[len(directory) + 1 :].split("/")
            team = rest[1] if len(rest) > 2 and rest[0] == TEAMS else None
            return Scope(frozenset({env}), team)
    parts = path.split("/")
    top = parts[0]
    if top == RECORD_DIR and len(parts) == 2:
        env = parts[1].removeprefix("seed-").removesuffix(".json").split(".")[0]  # a spoke's: seed-<env>.<cluster>
        return Scope(frozenset({env}), None) if env in every else NOWHERE
    if top in SHARED_TOPS and len(parts) > 1:
        return _shared_or_one(parts[1] if len(parts) > 2 else None, layout, None)
    if top == TEAMS and len(parts) > 2:
        return _shared_or_one(parts[2] if len(parts) > 3 else None, layout, parts[1])
    return NOWHERE


def _shared_or_one(directory: str | None, layout: Layout, team: str | None) -> Scope:
    """`<top>/<directory>/...`: one environment's directory, another (left out) one's, or shared by all."""
    if directory in layout.environments:
        return Scope(frozenset({directory}), team)
    if directory in layout.others:
        return NOWHERE
    return Scope(frozenset(layout.environments), team)


def layout_from_configs(configs: Iterable[PlatformConfig], paths: Iterable[str] = ()) -> Layout:
    """The environments of one or more stacks sharing a config repo (their `environment_path` included);
    the other `clusters/<env>/` names in `paths` are environments the report leaves out."""
    configs = list(configs)
    environments = {config.environment: config.environment_path.rstrip("/") for config in configs}
    teams = sorted({team.name for config in configs for team in config.teams})
    others = _cluster_names(paths) - set(environments)
    return Layout(environments, "stack " + ", ".join(sorted(environments)), tuple(teams), frozenset(others))


def layout_from_paths(paths: Iterable[str]) -> Layout:
    """The environments the directory conventions show: every `clusters/<env>/` that holds a file."""
    return Layout({name: f"{CLUSTERS}/{name}" for name in sorted(_cluster_names(paths))}, "conventions")


def _cluster_names(paths: Iterable[str]) -> set[str]:
    return {parts[1] for parts in (path.split("/") for path in paths) if parts[0] == CLUSTERS and len(parts) > 2}
