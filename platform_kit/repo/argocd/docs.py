"""README texts of the Argo CD layout seeded into the config repo."""

from __future__ import annotations

from platform_kit.config.models import PlatformConfig


def cluster_readme(config: PlatformConfig) -> str:
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
