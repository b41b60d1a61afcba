"""The Flux layout of the config repo (pure).

Layout (a Flux monorepo; shared directories are created once, per-environment
directories by each environment's seed):

    README.md                      where to change what
    clusters/<env>/                the root sync applies this directory
      flux-system/                 Flux's own manifests: Flux upgrades itself from here
      infrastructure.yaml          Kustomizations: controllers, then configs
      apps.yaml                    Kustomization for apps/<env>, after infrastructure
    infrastructure/controllers/    cluster add-ons (CRDs and controllers)
    infrastructure/configs/        objects that use those CRDs; platform namespace
    apps/base/, apps/<env>/        workloads, with a per-environment overlay
"""

from __future__ import annotations

from typing import Any

from platform_kit.config.metadata import variable
from platform_kit.config.models import FluxConfig, PlatformConfig
from platform_kit.repo import docs
from platform_kit.repo.flux import flux_instance, flux_kustomization, flux_operator_release
from platform_kit.repo.manifest import Manifest, kustomization, yaml_file

PLATFORM_NAMESPACE = "platform-system"
"""Namespace for the platform's own in-cluster objects."""


def render_flux_repo(config: PlatformConfig) -> list[Manifest]:
    """Every file of the Flux seed for `config`'s environment (unsorted)."""
    flux = config.gitops
    if not isinstance(flux, FluxConfig):
        raise TypeError("the Flux layout needs gitops.agent = flux")
    return [
        Manifest("README.md", docs.repo_readme(config)),
        *_cluster_dir(config, flux),
        *_infrastructure_dir(),
        *_apps_dir(config),
    ]


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


def _infrastructure_dir() -> list[Manifest]:
    return [
        Manifest("infrastructure/README.md", docs.INFRASTRUCTURE_README),
        kustomization("infrastructure/controllers", []),
        kustomization("infrastructure/configs", ["platform-system.yaml"]),
        yaml_file("infrastructure/configs/platform-system.yaml", *platform_namespace_objects()),
    ]


def _apps_dir(config: PlatformConfig) -> list[Manifest]:
    return [
        Manifest("apps/README.md", docs.APPS_README),
        kustomization("apps/base", []),
        kustomization(f"apps/{config.environment}", ["../base"]),
    ]


def platform_namespace_objects() -> list[dict[str, Any]]:
    """The platform namespace and a ConfigMap of cluster facts for workloads, from the contract."""
    labels = {
        "app.kubernetes.io/part-of": "platform",
        "platform-kit.io/environment": variable("environment"),
    }
    namespace = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": PLATFORM_NAMESPACE,
            "labels": labels
            | {
                "pod-security.kubernetes.io/enforce": "restricted",
                "pod-security.kubernetes.io/enforce-version": "latest",
            },
        },
    }
    facts = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "platform-info", "namespace": PLATFORM_NAMESPACE, "labels": labels},
        "data": {
            "environment": variable("environment"),
            "clusterName": variable("cluster_name"),
            "clusterKind": variable("cluster_kind"),
            "region": variable("region"),
            "contractVersion": variable("contract_version"),
        },
    }
    return [namespace, facts]
