"""The Flux layout of the config repo (pure).

Layout (a Flux monorepo; shared directories come from `platform_kit.repo.shared`,
per-environment directories are created by each environment's seed):

    clusters/<env>/                the root sync applies this directory
      flux-system/                 Flux's own manifests: Flux upgrades itself from here
      infrastructure.yaml          Kustomizations for infrastructure/<env>/ stages, in order
      apps.yaml                    Kustomization for apps/<env>, after the configs stage
      teams.yaml, teams/           Kustomization for the team directories (see platform_kit.repo.teams)
    infrastructure/<env>/          this environment's overlay (see platform_kit.repo.services.layout)
    README.md, infrastructure/, apps/   shared (see platform_kit.repo.shared)
"""

from __future__ import annotations

from platform_kit.config.metadata import variable
from platform_kit.config.models import FluxConfig, PlatformConfig
from platform_kit.repo import docs
from platform_kit.repo.flux import flux_instance, flux_kustomization, flux_operator_release
from platform_kit.repo.flux_helm import flux_helm_objects
from platform_kit.repo.flux_notifications import notification_objects
from platform_kit.repo.manifest import Manifest, kustomization, yaml_file
from platform_kit.repo.services.layout import Stage, overlay_files, stages
from platform_kit.repo.shared import PLATFORM_NAMESPACE, platform_namespace_objects, shared_files
from platform_kit.repo.teams.layout import all_team_files

__all__ = ["PLATFORM_NAMESPACE", "platform_namespace_objects", "render_flux_repo"]


def render_flux_repo(config: PlatformConfig) -> list[Manifest]:
    """Every file of the Flux seed for `config`'s environment (unsorted)."""
    flux = config.gitops
    if not isinstance(flux, FluxConfig):
        raise TypeError("the Flux layout needs gitops.agent = flux")
    stage_list = stages(config, "flux", variable)
    overlay = overlay_files(config, stage_list, lambda chart: flux_helm_objects(chart, flux))
    return [*_cluster_dir(config, flux, stage_list), *overlay, *shared_files(config), *all_team_files(config)]


def _stage_kustomizations(flux: FluxConfig, stage_list: list[Stage]) -> list[dict]:
    """One Flux Kustomization per stage, each depending on the previous one."""
    kustomizations, previous = [], ()
    for stage in stage_list:
        kustomizations.append(flux_kustomization(flux, f"infra-{stage.name}", stage.path, depends_on=previous))
        previous = (f"infra-{stage.name}",)
    return kustomizations


def _cluster_dir(config: PlatformConfig, flux: FluxConfig, stage_list: list[Stage]) -> list[Manifest]:
    env_dir = config.environment_path
    apps = flux_kustomization(flux, "apps", f"apps/{config.environment}", depends_on=("infra-configs",))
    resources, extra = ["flux-system", "infrastructure.yaml", "apps.yaml", "teams.yaml"], []
    notifications = config.services.observability.notifications
    if notifications is not None:
        extra.append(yaml_file(f"{env_dir}/notifications.yaml", *notification_objects(flux, notifications)))
        resources.append("notifications.yaml")
    return [
        *extra,
        Manifest(f"{env_dir}/README.md", docs.cluster_readme(config)),
        kustomization(env_dir, resources),
        kustomization(f"{env_dir}/flux-system", ["flux-instance.yaml", "flux-operator.yaml"]),
        yaml_file(f"{env_dir}/flux-system/flux-instance.yaml", flux_instance(flux)),
        yaml_file(f"{env_dir}/flux-system/flux-operator.yaml", *flux_operator_release(flux)),
        yaml_file(f"{env_dir}/infrastructure.yaml", *_stage_kustomizations(flux, stage_list)),
        yaml_file(f"{env_dir}/apps.yaml", apps),
    ]
