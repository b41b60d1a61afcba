"""GitOps agents and the config repo seed."""

from platform_kit.gitops.agent import AgentArgs
from platform_kit.gitops.flux import FluxAgent
from platform_kit.gitops.seed import ConfigRepoSeed, ConfigRepoSeedArgs

__all__ = ["ConfigRepoSeed", "ConfigRepoSeedArgs", "FluxAgent", "AgentArgs"]
