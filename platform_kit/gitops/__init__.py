"""GitOps agents and the config repo seed.

The public names load on first use (PEP 562), so importing one module of the package (the
seed resource, say) does not pull every agent and pulumi_kubernetes in with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from platform_kit.gitops.agent import AgentArgs, GitOpsAgent
    from platform_kit.gitops.argocd import ArgoCdAgent
    from platform_kit.gitops.build import build_agent
    from platform_kit.gitops.flux import FluxAgent
    from platform_kit.gitops.seed import ConfigRepoSeed, ConfigRepoSeedArgs

_WHERE = {
    "AgentArgs": "platform_kit.gitops.agent",
    "GitOpsAgent": "platform_kit.gitops.agent",
    "build_agent": "platform_kit.gitops.build",
    "ArgoCdAgent": "platform_kit.gitops.argocd",
    "FluxAgent": "platform_kit.gitops.flux",
    "ConfigRepoSeed": "platform_kit.gitops.seed",
    "ConfigRepoSeedArgs": "platform_kit.gitops.seed",
}

__all__ = [
    "AgentArgs",
    "ArgoCdAgent",
    "ConfigRepoSeed",
    "ConfigRepoSeedArgs",
    "FluxAgent",
    "GitOpsAgent",
    "build_agent",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
