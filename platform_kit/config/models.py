"""PlatformConfig: the whole stack config of one environment (namespace `platform`).

Field names are camelCase in YAML (Pulumi's convention) and snake_case in Python.
Every choice is a `Literal`, and every variant is chosen by a discriminator
(`cluster.kind`, `gitops.agent`, `repo.credentials.kind`), so a typo is an error.
The parts live in `base`, `cluster`, `gitops` and `repo`; this module re-exports them.
"""

from __future__ import annotations

from platform_kit.config.base import (
    AGENT_READABLE_SCHEMES,
    DnsLabel,
    Duration,
    Model,
    url_scheme,
)
from platform_kit.config.cluster import (
    ClusterConfig,
    ExistingClusterConfig,
    KubeconfigSource,
)
from platform_kit.config.gitops import FluxConfig, GitopsConfig
from platform_kit.config.repo import (
    ConfigRepoConfig,
    Credentials,
    NoCredentials,
    SshCredentials,
    TokenCredentials,
)

__all__ = [
    "AGENT_READABLE_SCHEMES",
    "ClusterConfig",
    "ConfigRepoConfig",
    "Credentials",
    "DnsLabel",
    "Duration",
    "ExistingClusterConfig",
    "FluxConfig",
    "GitopsConfig",
    "KubeconfigSource",
    "Model",
    "NoCredentials",
    "PlatformConfig",
    "SshCredentials",
    "TokenCredentials",
    "url_scheme",
]


class PlatformConfig(Model):
    """Everything one environment's platform needs; read once at the edge and passed down."""

    environment: DnsLabel
    """Environment name (`local`, `dev`, `prod`, ...); names the repo directory and prefixes resources."""
    cluster: ClusterConfig
    """The Kubernetes cluster to bootstrap."""
    gitops: GitopsConfig
    """The GitOps agent that takes over after bootstrap."""
    repo: ConfigRepoConfig
    """The config repo the agent watches."""

    @property
    def environment_path(self) -> str:
        """Directory of this environment in the config repo."""
        return self.repo.path or f"clusters/{self.environment}"
