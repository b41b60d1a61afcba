"""GitOps agents and the config repo seed."""

from platform_kit.gitops.flux import FluxAgent, FluxAgentArgs
from platform_kit.gitops.seed import ConfigRepoSeed, ConfigRepoSeedArgs

__all__ = ["ConfigRepoSeed", "ConfigRepoSeedArgs", "FluxAgent", "FluxAgentArgs"]
