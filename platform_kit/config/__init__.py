"""Typed stack configuration: frozen pydantic models, loaders and the metadata contract.

Nothing here imports a Pulumi provider; the Pulumi SDK is imported only by
`load_pulumi_config`, which runs inside a Pulumi program.
"""

from platform_kit.config.eks import EksClusterConfig
from platform_kit.config.errors import ConfigError, Problem
from platform_kit.config.gitops import ArgoCdConfig
from platform_kit.config.loaders import (
    OPAQUE_SECRET,
    load_pulumi_config,
    load_stack_file,
    parse_platform_config,
    stack_config_schema,
)
from platform_kit.config.metadata import CONTRACT_VERSION, PlatformMetadata
from platform_kit.config.models import (
    ConfigRepoConfig,
    ExistingClusterConfig,
    FluxConfig,
    KubeconfigSource,
    NoCredentials,
    PlatformConfig,
    SshCredentials,
    TokenCredentials,
)

__all__ = [
    "CONTRACT_VERSION",
    "OPAQUE_SECRET",
    "ArgoCdConfig",
    "ConfigError",
    "ConfigRepoConfig",
    "EksClusterConfig",
    "ExistingClusterConfig",
    "FluxConfig",
    "KubeconfigSource",
    "NoCredentials",
    "PlatformConfig",
    "PlatformMetadata",
    "Problem",
    "SshCredentials",
    "TokenCredentials",
    "load_pulumi_config",
    "load_stack_file",
    "parse_platform_config",
    "stack_config_schema",
]
