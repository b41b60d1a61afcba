"""The Flux layout of the config repo (pure).

Layout (a Flux monorepo; shared directories come from `platform_kit.repo.shared`,
per-environment directories are created by each environment's seed):

    clusters/<env>/                the root sync applies this directory
      flux-system/                 Flux's own manifests: Flux upgrades itself from here
      infrastructure.yaml          Kustomizations: controllers, then configs
      apps.yaml                    Kustomization for apps/<env>, after infrastructure
    README.md, infrastructure/, apps/   shared (see platform_kit.repo.shared)
"""

from __future__ import annotations

from platform_kit.config.models import FluxConfig, PlatformConfig
from platform_kit.repo import docs
from platform_kit.repo.flux import flux_instance, flux_kustomization, flux_operator_release
from platform_kit.repo.manifest import Manifest, kustomization, yaml_file
from platform_kit.repo.shared import PLATFORM_NAMESPACE, platform_namespace_objects, shared_files

__all__ = ["PLATFORM_NAMESPACE", "platform_namespace_objects", "render_flux_repo"]


def render_flux_repo(config: PlatformConfig) -> list[Manifest]:
    """Every file of the Flux seed for `config`'s environment (unsorted)."""
    flux = config.gitops
    if not isinstance(flux, FluxConfig):
        raise TypeError("the Flux layout needs gitops.agent = flux")
    return [*_cluster_dir(config, flux), *shared_files(config)]


def _cluster_dir(config: PlatformConfig, flux: FluxConfig) -> list[Manifest]:
    env_dir = config.environment_path
    controllers = flux_kustomization(flux, "infra-controllers", "infrastructure/controllers")
    configs = flux_kustomization(flux, "infra-configs", "infrastructure/configs", depends_on=("infra-controllers",))
    apps = flux_kustomization(flux, "apps", f"apps/{config.environment}", depends_on=("infra-configs",))
    return [
        Manifest(f"{env_dir}/README.md", docs.cluster_readme(config)),
        kustomization(env_dir, ["flux-system", "infrastructure.yaml", "apps.yaml"]),
        kustomization(f"{env_dir}/flux-system", ["flux-instance.yaml", "flux-operator.yaml"]),
        yaml_file(f"{env_dir}/flux-system/flux-instance.yaml", flux_instance(flux)),
        yaml_file(f"{env_dir}/flux-system/flux-operator.yaml", *flux_operator_release(flux)),
        yaml_file(f"{env_dir}/infrastructure.yaml", controllers, configs),
        yaml_file(f"{env_dir}/apps.yaml", apps),
    ]
