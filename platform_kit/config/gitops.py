"""GitOps agent variants, chosen by `gitops.agent`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from platform_kit import versions
from platform_kit.config.base import DnsLabel, Duration, Model

FluxComponent = Literal[
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
    "image-reflector-controller",
    "image-automation-controller",
]


class FluxConfig(Model):
    """Flux, installed through the Flux Operator and a FluxInstance."""

    agent: Literal["flux"]
    """Selects Flux as the GitOps agent."""
    namespace: DnsLabel = "flux-system"
    """Namespace of the operator, the controllers and the root sync objects."""
    operator_chart_version: str = versions.FLUX_OPERATOR_CHART_VERSION
    """Flux Operator chart version for the first install; later upgrades go through Git."""
    version: str = versions.FLUX_DISTRIBUTION_VERSION
    """Flux distribution version or semver range, e.g. `2.7.x`."""
    components: tuple[FluxComponent, ...] = (
        "source-controller",
        "kustomize-controller",
        "helm-controller",
        "notification-controller",
    )
    """Flux controllers to run."""
    network_policy: bool = True
    """Restrict network access to the Flux namespace."""
    sync_interval: Duration = "1m"
    """How often Flux polls the config repo."""
    reconcile_interval: Duration = "10m"
    """How often Flux re-applies the repo to correct drift."""
    ready_timeout_seconds: int = Field(default=600, ge=60, le=7200)
    """How long `pulumi up` waits for the first reconciliation to become Ready."""

    @model_validator(mode="after")
    def _needs_core_controllers(self) -> FluxConfig:
        missing = {"source-controller", "kustomize-controller"} - set(self.components)
        if missing:
            raise ValueError(f"components must include {', '.join(sorted(missing))} (the root sync needs them)")
        return self


GitopsConfig = Annotated[FluxConfig, Field(discriminator="agent")]
"""GitOps agent variants, chosen by `agent` (`flux`; `argocd` slots in here)."""
