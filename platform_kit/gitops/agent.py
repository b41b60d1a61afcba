"""What every GitOps agent component receives, so Platform can swap agents by one config field."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from platform_kit.config.models import PlatformConfig
from platform_kit.publish import GitAuth


@dataclass(frozen=True)
class AgentArgs:
    """Inputs of an agent component (FluxAgent, ...)."""

    config: PlatformConfig
    """Platform config; `config.gitops` selects and configures the agent."""
    metadata: pulumi.Input[Mapping[str, str]]
    """Metadata contract as `PLATFORM_*` variables; each agent writes it in its native form."""
    auth: GitAuth | None = None
    """Credentials the agent uses to clone the config repo (None: public or unauthenticated)."""
    sync_after: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """Resources the root sync must wait for, typically the seed commit."""
    sso_client_secret: pulumi.Input[str] | None = None
    """OIDC client secret resolved at the edge (Argo CD with `gitops.sso`); written only as a Pulumi secret."""
    notification_url: str | None = None
    """Webhook URL (secret) of the agent's own notifications; none when unset."""
