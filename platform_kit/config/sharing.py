"""Which stacks of one project may share a `platform:environment`: fleet spokes with distinct cluster names.

A standalone or hub stack owns everything its environment names (`clusters/<env>`, the seed record
`seed-<env>`, the secrets prefix `<env>/`); a spoke owns only `clusters/<env>/<cluster>`, its seed record
`seed-<env>.<cluster>` and the secrets prefix `<env>/<cluster>/`, and shares the environment's overlays
(`infrastructure/<env>/`, `apps/<env>/`) with the environment's other spokes (docs/fleets.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from platform_kit.config.errors import Problem
from platform_kit.config.fleet import fleet_from_text

if TYPE_CHECKING:
    from platform_kit.config.models import PlatformConfig


class SharedEnvironment(NamedTuple):
    """Another stack file of the project with the same `platform:environment`: its path, role and cluster name."""

    path: Path
    role: str
    cluster: object

    @classmethod
    def of(cls, path: Path, fleet: Any, cluster: Any) -> SharedEnvironment:
        """From the raw `platform:fleet` and `platform:cluster` values of a stack file (not validated here)."""
        try:
            mapping = fleet_from_text(fleet or {})
        except ValueError:
            mapping = {}
        role = mapping.get("role", "standalone") if isinstance(mapping, dict) else "standalone"
        return cls(path, str(role), cluster.get("name") if isinstance(cluster, dict) else None)


def sharing_problems(config: PlatformConfig, shared: list[SharedEnvironment]) -> list[Problem]:
    """Why `config` cannot share its environment with these stacks: only spokes with distinct cluster names may."""
    problems = []
    env = config.environment
    for other in shared:
        if config.is_spoke and other.role == "spoke" and other.cluster != config.cluster.name:
            continue  # several clusters of one environment (docs/fleets.md, "Several clusters per environment")
        if config.is_spoke and other.role == "spoke":
            message = (
                f"`{config.cluster.name}` is also the cluster of {other.path} in environment `{env}`: spokes of one "
                f"environment need distinct cluster names (the name makes `clusters/{env}/<cluster>`, the seed record "
                f"`seed-{env}.<cluster>` and the secrets prefix `{env}/<cluster>/` unique)"
            )
            problems.append(Problem("platform.cluster.name", message))
            continue
        roles = f"this stack is {_role_phrase(config.fleet.role)}, {other.path.name} is {_role_phrase(other.role)}"
        message = (
            f"`{env}` is also the environment of {other.path} ({roles}): only fleet spokes (`platform.fleet.role: "
            f"spoke`) with distinct cluster names may share an environment; a standalone or hub stack owns "
            f"`clusters/{env}`, the seed record `seed-{env}` and the secrets prefix `{env}/`, which another stack "
            "would write too"
        )
        problems.append(Problem("platform.environment", message))
    return problems


def _role_phrase(role: str) -> str:
    return {"spoke": "a spoke", "hub": "a hub"}.get(role, "standalone")
