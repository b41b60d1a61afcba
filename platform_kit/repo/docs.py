"""README texts seeded into the config repo: short guides telling teams where to change what."""

from __future__ import annotations

from platform_kit.config.metadata import METADATA_CONFIGMAP, VARIABLES, metadata_key
from platform_kit.config.models import PlatformConfig


def _variable_table() -> str:
    rows = "\n".join(
        f"| {field.replace('_', ' ')} | `${{{name}}}` | `{metadata_key(field)}` |" for field, name in VARIABLES.items()
    )
    return "| value | Flux variable | Argo CD cluster Secret annotation |\n|---|---|---|\n" + rows


def repo_readme(config: PlatformConfig) -> str:
    """Top-level README: the layout and the rules of the repo (identical for every environment and agent)."""
    return f"""# Platform config repo

This repository is the desired state of every environment's Kubernetes platform.
Each cluster's GitOps agent (Flux or Argo CD) reconciles it; change the platform by
opening a pull request here. platform-kit created the first commit and never
overwrites an existing file, so your edits are safe from later `pulumi up` runs.

| path | what lives there | who edits it |
|---|---|---|
| `clusters/<env>/` | what one environment runs: the agent itself and the layers below | platform team |
| `infrastructure/controllers/` | cluster add-ons: CRDs and controllers, applied first | platform team |
| `infrastructure/configs/` | objects that use those CRDs, the platform namespace | platform team |
| `apps/base/` | workloads (Flux) or team Applications (Argo CD) shared by every environment | application teams |
| `apps/<env>/` | per-environment overlay of `apps/base/` | application teams |
| `projects/` | Argo CD only: one AppProject per team | platform team |

## Values from the infrastructure

Never write cloud identifiers (ARNs, account IDs, cluster names) into manifests.
Pulumi writes them into each cluster as the agent's native input. Flux environments
read the `{METADATA_CONFIGMAP}` ConfigMap in the agent's namespace and substitute
`${{PLATFORM_*}}` variables in every Kustomization. Argo CD environments carry the
same values as annotations (and the selectable ones as labels) of the cluster
Secret, which ApplicationSets read with the cluster generator; Argo CD's root
Application fills the `${{PLATFORM_*}}` placeholders of `clusters/<env>/` with them:

{_variable_table()}

## What Pulumi still owns

The cluster and cloud resources, the agent's first install, the Git credential
Secret, the metadata object (ConfigMap or cluster Secret), the webhook secret and
the root sync object (Flux `flux-system`, Argo CD `root` and the `platform`
AppProject). Everything else in the cluster comes from this repository.
"""


INFRASTRUCTURE_README = """# Infrastructure

Cluster add-ons shared by all environments.

- `controllers/` - controllers and their CRDs (applied first): Flux HelmReleases,
  or Argo CD Applications of upstream charts.
- `configs/` - custom resources that need those controllers, and the
  `platform-system` namespace with its `platform-info` ConfigMap.

Write anything that differs between environments as a `${PLATFORM_*}` placeholder.
Flux substitutes it. Argo CD does not substitute: the `infra-configs` Application in
`clusters/<env>/infrastructure.yaml` patches the placeholders platform-kit seeded, with
values the Pulumi-owned root Application fills in. A placeholder you add yourself is
not filled in an Argo CD environment: put that value in the environment's overlay
(`infrastructure/<env>/`) instead. Add a per-environment directory only when the
shape differs, not just a value.
"""


APPS_README = """# Applications

- `base/` - one entry per application, listed in `base/kustomization.yaml`:
  workloads (Flux), or an Argo CD Application per team app, in that team's
  AppProject from `projects/` (Argo CD).
- `<env>/` - the overlay each environment applies; patch replicas, resources
  and hostnames here.

Each environment applies `apps/<env>` after the infrastructure is ready.
"""
