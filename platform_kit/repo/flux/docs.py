"""README texts of the Flux layout seeded into the config repo."""

from __future__ import annotations

from platform_kit.config.models import PlatformConfig


def cluster_readme(config: PlatformConfig) -> str:
    """README of `clusters/<env>/`: what the root sync applies and in which order."""
    env = config.environment
    return f"""# Environment `{env}`

The root Kustomization `flux-system` (created by Pulumi) applies this directory.

- `flux-system/` - the Flux version (`flux-instance.yaml`) and the Flux Operator
  release (`flux-operator.yaml`). Bump versions here; Flux upgrades itself.
  These objects carry `kustomize.toolkit.fluxcd.io/prune: disabled` so that
  tearing down the root sync never removes Flux mid-way.
- `infrastructure.yaml` - `infra-controllers` (`infrastructure/controllers`) then
  `infra-configs` (`infrastructure/configs`, after the controllers are ready).
- `apps.yaml` - `apps` (`apps/{env}`), after the infrastructure is ready.

Reconciliation order is expressed with `dependsOn`, never with timing.
"""
