"""README texts seeded into the config repo: short guides telling teams where to change what."""

from __future__ import annotations

from platform_kit.config.metadata import METADATA_CONFIGMAP, VARIABLES
from platform_kit.config.models import PlatformConfig


def _variable_table() -> str:
    rows = "\n".join(f"| `${{{name}}}` | {field.replace('_', ' ')} |" for field, name in VARIABLES.items())
    return "| variable | value |\n|---|---|\n" + rows


def repo_readme(config: PlatformConfig) -> str:
    """Top-level README: the layout and the rules of the repo."""
    return f"""# Platform config repo

This repository is the desired state of every environment's Kubernetes platform.
Flux reconciles each cluster to it; change the platform by opening a pull request here.
platform-kit created the first commit and never overwrites an existing file, so your
edits are safe from later `pulumi up` runs.

| path | what lives there | who edits it |
|---|---|---|
| `clusters/<env>/` | what one environment runs: Flux itself and the Kustomizations below | platform team |
| `clusters/<env>/flux-system/` | Flux's own version and settings (Flux upgrades itself from here) | platform team |
| `infrastructure/controllers/` | cluster add-ons: CRDs and controllers, applied first | platform team |
| `infrastructure/configs/` | objects that use those CRDs, the platform namespace | platform team |
| `apps/base/` | workloads shared by every environment | application teams |
| `apps/<env>/` | per-environment overlay of `apps/base/` | application teams |

## Values from the infrastructure

Never write cloud identifiers (ARNs, account IDs, cluster names) into manifests.
Pulumi writes them into the `{METADATA_CONFIGMAP}` ConfigMap of the `{config.gitops.namespace}`
namespace and Flux substitutes them into every Kustomization here:

{_variable_table()}

## What Pulumi still owns

The cluster and cloud resources, the first Flux install, the Git credential Secret,
the `{METADATA_CONFIGMAP}` ConfigMap and the root `GitRepository`/`Kustomization`
named `flux-system`. Everything else in the cluster comes from this repository.
"""


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


INFRASTRUCTURE_README = """# Infrastructure

Cluster add-ons shared by all environments.

- `controllers/` - Helm releases and CRDs of controllers (applied first).
- `configs/` - custom resources that need those controllers, and the
  `platform-system` namespace with its `platform-info` ConfigMap.

Use `${PLATFORM_*}` variables for anything that differs between environments;
add a per-environment directory only when the shape differs, not just a value.
"""


APPS_README = """# Applications

- `base/` - one directory per application, listed in `base/kustomization.yaml`.
- `<env>/` - the overlay each environment applies; patch replicas, resources
  and hostnames here.

Each environment's `apps` Kustomization waits for the infrastructure to be ready.
"""
