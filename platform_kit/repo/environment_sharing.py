"""Spokes of one environment share its overlays: `shared_file_problems` finds where two of them disagree.

Several fleet spokes may share an environment (docs/fleets.md, "Several clusters per environment"):
each owns `clusters/<env>/<cluster>`, and they share `infrastructure/<env>/`, `apps/<env>/` and the
repo's bases, which the seed creates once and never overwrites. So every file two spokes of one
environment both render must be byte-identical, or the second spoke's cluster would run the first
one's overlay. Services that change the overlays (secrets and how ESO authenticates, observability,
policy mode, the agent) must therefore match across an environment's spokes.
"""

from __future__ import annotations

from collections.abc import Mapping

from platform_kit.config.fleet import FleetProblem
from platform_kit.config.models import PlatformConfig
from platform_kit.repo.render import render_config_repo

SHOWN = 3
"""Differing paths named in one problem (the rest are counted)."""


def environment_groups(configs: Mapping[str, PlatformConfig]) -> list[list[str]]:
    """Stacks (sorted) of every environment that two or more spokes of one config repo and branch share."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for stack, config in sorted(configs.items()):
        if config.is_spoke:
            groups.setdefault((config.repo.url, config.repo.branch, config.environment), []).append(stack)
    return [stacks for stacks in groups.values() if len(stacks) > 1]


def shared_file_problems(configs: Mapping[str, PlatformConfig]) -> list[FleetProblem]:
    """Per spoke sharing an environment: the files it renders differently from the first spoke of that environment."""
    problems = []
    for stacks in environment_groups(configs):
        first, *others = stacks
        reference = {m.path: m.content for m in render_config_repo(configs[first])}
        for stack in others:
            files = {m.path: m.content for m in render_config_repo(configs[stack])}
            differ = sorted(path for path in set(files) & set(reference) if files[path] != reference[path])
            if not differ:
                continue
            env = configs[stack].environment
            named = ", ".join(f"`{path}`" for path in differ[:SHOWN])
            more = f" and {len(differ) - SHOWN} more" if len(differ) > SHOWN else ""
            message = (
                f"spokes of `{env}` share its overlays, but this one renders {named}{more} differently from stack "
                f"`{first}` (the seed keeps whichever came first): give the environment's spokes the same agent and "
                "services (secrets and their auth, observability, policy)"
            )
            problems.append(FleetProblem(stack, "platform.environment", message, (stack, first)))
    return problems
