"""The joint between Platform and a GitOps agent: what every agent receives and what it gives back.

Platform and the Git hosting see only the `GitOpsAgent` protocol; `platform_kit.gitops.build`
is the one place that picks the agent component for `gitops.agent`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pulumi

from platform_kit.config.metadata import PlatformMetadata
from platform_kit.config.models import PlatformConfig
from platform_kit.publish import GitAuth


@dataclass(frozen=True)
class AgentArgs:
    """Inputs of an agent component (FluxAgent, ArgoCdAgent)."""

    config: PlatformConfig
    """Platform config; `config.gitops` selects and configures the agent."""
    metadata: pulumi.Input[PlatformMetadata]
    """The metadata contract; each agent writes it in its native form (ConfigMap, cluster Secret)."""
    auth: GitAuth | None = None
    """Credentials the agent uses to clone the config repo (None: public or unauthenticated)."""
    sync_after: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """Resources the root sync must wait for, typically the seed commit."""
    sso_client_secret: pulumi.Input[str] | None = None
    """OIDC client secret resolved at the edge (Argo CD with `gitops.sso`); written only as a Pulumi secret."""
    notification_url: str | None = None
    """Webhook URL (secret) of the agent's own notifications; none when unset."""

    def contract(self) -> pulumi.Output[PlatformMetadata]:
        """`metadata` as a typed Output; a `PLATFORM_*` mapping (the 0.1 form) still works, with a warning."""
        return pulumi.Output.from_input(self.metadata).apply(_typed_contract)


def _typed_contract(metadata: PlatformMetadata | Mapping[str, str]) -> PlatformMetadata:
    if isinstance(metadata, PlatformMetadata):
        return metadata
    warnings.warn(
        "AgentArgs.metadata as PLATFORM_* variables is deprecated: pass a PlatformMetadata", DeprecationWarning, 2
    )
    return PlatformMetadata.from_variables(metadata)


class GitOpsAgent(Protocol):
    """An installed GitOps agent, as Platform and the Git hosting see it."""

    namespace: str
    """Namespace the agent runs in."""
    root_sync: pulumi.CustomResource
    """The root sync object (Flux Kustomization, Argo CD Application); deleting it prunes what the agent applied."""
    webhook_secret: pulumi.Output[str] | None
    """Secret of the agent's Git push webhook (a Pulumi secret); None when the agent has no receiver."""
    webhook_url: pulumi.Output[str] | None
    """Public URL of the push webhook; None without `gitops.webhook.publicUrl`."""
