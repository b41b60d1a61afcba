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


def argocd_cluster_readme(config: PlatformConfig) -> str:
    """README of `clusters/<env>/` for Argo CD: what the root Application applies and in which order."""
    env = config.environment
    return f"""# Environment `{env}` (Argo CD)

The root Application `root` (created by Pulumi) applies this directory, one sync
wave at a time. Every layer is an Application, and the root's sync waits until the
Applications of a wave are Healthy before it starts the next, so controllers and
their CRDs are ready before anything uses them.

| wave | file | what |
|---|---|---|
| -3 | `argocd.yaml` | the Argo CD chart and values; bump `targetRevision` here, Argo CD upgrades itself |
| -2 | `projects.yaml` | Application `projects` (`projects/`, team AppProjects) |
| -1 and on | `infrastructure.yaml` | Applications for `infrastructure/{env}/`: a wave per stage, its charts with it |
| last | `apps.yaml` | Application `apps` (`apps/{env}`) |
| last | `teams.yaml` | ApplicationSet `teams` (one Application per directory in `teams/`; not waited on) |

`${{PLATFORM_*}}` placeholders in these files (repository URL and branch, values
from the infrastructure) are filled by the root, whose kustomize patches carry the
metadata contract, so nothing here is a literal. The root owns the fields that hold
a placeholder (for `infra-configs`, its whole list of kustomize patches); change
anything else freely. Every layer has Argo CD's resources finalizer, so deleting the
root deletes what the layers applied. `argocd.yaml` is never pruned or deleted with
the root (`Delete=false`), so tearing the platform down never removes Argo CD mid-way.
"""


PROJECTS_README = """# Projects (Argo CD)

One AppProject per team: the repositories it may deploy from, the namespaces it may
deploy to, and which cluster-scoped kinds it may create (normally none). Teams'
Applications in `apps/` name their project.

The `default` project is locked down (no sources, no destinations) and the
`platform` project belongs to Pulumi; do not redefine either here.
"""
