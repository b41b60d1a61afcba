"""platform_kit: Pulumi components that bootstrap a Kubernetes platform and hand it over to GitOps.

The names in `__all__` are the public surface, kept stable across minor releases (see
docs/public-api.md). They load on first use (PEP 562): `import platform_kit` imports
neither Pulumi nor a provider SDK, so the CLI and pure rendering stay light.

A whole stack program::

    from platform_kit import Platform, PlatformArgs, export_stack_outputs

    args = PlatformArgs.from_stack()
    export_stack_outputs(Platform(args.config.environment, args))
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from platform_kit import _compat
from platform_kit._version import __version__

_compat.install()  # old module paths forward to their new homes for one release

_WHERE = {
    # Composition (Pulumi)
    "Platform": "platform_kit.platform",
    "PlatformArgs": "platform_kit.platform",
    "export_stack_outputs": "platform_kit.platform",
    # Components (Pulumi)
    "ClusterHandle": "platform_kit.cluster",
    "ExistingCluster": "platform_kit.cluster",
    "ExistingClusterArgs": "platform_kit.cluster",
    "EksCluster": "platform_kit.cluster",
    "EksClusterArgs": "platform_kit.cluster",
    "AgentArgs": "platform_kit.gitops",
    "GitOpsAgent": "platform_kit.gitops",
    "FluxAgent": "platform_kit.gitops",
    "ArgoCdAgent": "platform_kit.gitops",
    "build_agent": "platform_kit.gitops",
    "ConfigRepoSeed": "platform_kit.gitops",
    "ConfigRepoSeedArgs": "platform_kit.gitops",
    # Config (pure)
    "PlatformConfig": "platform_kit.config",
    "PlatformMetadata": "platform_kit.config",
    "CONTRACT_VERSION": "platform_kit.config",
    "FluxConfig": "platform_kit.config",
    "ArgoCdConfig": "platform_kit.config",
    "EksClusterConfig": "platform_kit.config",
    "ExistingClusterConfig": "platform_kit.config",
    "ConfigError": "platform_kit.config",
    "load_pulumi_config": "platform_kit.config",
    "load_stack_file": "platform_kit.config",
    "parse_platform_config": "platform_kit.config",
    "stack_config_schema": "platform_kit.config",
    # Rendering and publishing (pure)
    "Manifest": "platform_kit.repo",
    "render_config_repo": "platform_kit.repo",
    "GitAuth": "platform_kit.publish",
    "PublishError": "platform_kit.publish",
}
"""Public name -> the module that defines (or re-exports) it."""

__all__ = [
    "__version__",
    "AgentArgs",
    "ArgoCdAgent",
    "ArgoCdConfig",
    "CONTRACT_VERSION",
    "ClusterHandle",
    "ConfigError",
    "ConfigRepoSeed",
    "ConfigRepoSeedArgs",
    "EksCluster",
    "EksClusterArgs",
    "EksClusterConfig",
    "ExistingCluster",
    "ExistingClusterArgs",
    "ExistingClusterConfig",
    "FluxAgent",
    "FluxConfig",
    "GitAuth",
    "GitOpsAgent",
    "Manifest",
    "Platform",
    "PlatformArgs",
    "PlatformConfig",
    "PlatformMetadata",
    "PublishError",
    "build_agent",
    "export_stack_outputs",
    "load_pulumi_config",
    "load_stack_file",
    "parse_platform_config",
    "render_config_repo",
    "stack_config_schema",
]

if TYPE_CHECKING:
    from platform_kit.cluster import ClusterHandle, EksCluster, EksClusterArgs, ExistingCluster, ExistingClusterArgs
    from platform_kit.config import (
        CONTRACT_VERSION,
        ArgoCdConfig,
        ConfigError,
        EksClusterConfig,
        ExistingClusterConfig,
        FluxConfig,
        PlatformConfig,
        PlatformMetadata,
        load_pulumi_config,
        load_stack_file,
        parse_platform_config,
        stack_config_schema,
    )
    from platform_kit.gitops import (
        AgentArgs,
        ArgoCdAgent,
        ConfigRepoSeed,
        ConfigRepoSeedArgs,
        FluxAgent,
        GitOpsAgent,
        build_agent,
    )
    from platform_kit.platform import Platform, PlatformArgs, export_stack_outputs
    from platform_kit.publish import GitAuth, PublishError
    from platform_kit.repo import Manifest, render_config_repo


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name]), name)
        globals()[name] = value  # later lookups skip this function
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
