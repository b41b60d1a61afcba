"""The Argo CD layout of the config repo (pure).

Layout (shared directories come from `platform_kit.repo.shared` and are identical to
the Flux layout's, so one repository can serve both agents):

    clusters/<env>/                the root Application applies this directory, wave by wave
      argocd.yaml                  wave -3: Argo CD's own chart and values (Argo CD upgrades itself)
      projects.yaml                wave -2: Application for projects/
      infrastructure.yaml          waves -1..: Applications per stage (controllers, configs, observability,
                                   monitoring) and per chart (external-secrets, kyverno, kube-prometheus-stack)
      apps.yaml                    next wave: Application for apps/<env>
      teams.yaml, teams/           same wave: ApplicationSet over the team directories (platform_kit.repo.teams)
    projects/                      team AppProjects (Argo CD only)
    README.md, infrastructure/, apps/   shared (see platform_kit.repo.shared)

The layers are plain Applications (app of apps): the root's sync waits for each wave's
Applications to be Healthy before the next. Their repository URL, branch and every
infrastructure value are `${PLATFORM_*}` placeholders that the Pulumi-owned root fills
with kustomize patches (`platform_kit.repo.argocd_root`), so Git holds no literals.
"""

from __future__ import annotations

from typing import Any

from platform_kit.config.gitops import ArgoCdConfig
from platform_kit.config.metadata import variable
from platform_kit.config.models import PlatformConfig
from platform_kit.repo import docs
from platform_kit.repo.argocd import SYNC_WAVE, config_repo_source, layer_application, self_application
from platform_kit.repo.argocd_services import stage_applications
from platform_kit.repo.manifest import Manifest, kustomization, yaml_file
from platform_kit.repo.services.layout import Stage, overlay_files, stages
from platform_kit.repo.shared import shared_files
from platform_kit.repo.teams.layout import all_team_files

SELF_WAVE, PROJECTS_WAVE, FIRST_STAGE_WAVE = -3, -2, -1
"""Sync waves: Argo CD itself, then team projects, then one wave per infrastructure stage, then apps and teams."""


def _argocd(config: PlatformConfig) -> ArgoCdConfig:
    if not isinstance(config.gitops, ArgoCdConfig):
        raise TypeError("the Argo CD layout needs gitops.agent = argocd")
    return config.gitops


def _stages(config: PlatformConfig) -> list[Stage]:
    return stages(config, "argocd", variable)


def layer_files(config: PlatformConfig) -> dict[str, list[dict[str, Any]]]:
    """The layer Applications of `clusters/<env>/`, by file name, in wave order."""
    argocd = _argocd(config)
    infrastructure, apps_wave = stage_applications(argocd, _stages(config), first_wave=FIRST_STAGE_WAVE)
    projects = layer_application(
        argocd, "projects", config_repo_source("projects"), PROJECTS_WAVE, namespace=argocd.namespace
    )
    apps_source = config_repo_source(f"apps/{config.environment}")
    apps = layer_application(argocd, "apps", apps_source, apps_wave, namespace=argocd.namespace)
    return {
        "argocd.yaml": [self_application(config, argocd)],
        "projects.yaml": [projects],
        "infrastructure.yaml": infrastructure,
        "apps.yaml": [apps],
    }


def layer_applications(config: PlatformConfig) -> list[dict[str, Any]]:
    """Every Application the root applies from `clusters/<env>/` (the team ApplicationSet aside)."""
    return [application for applications in layer_files(config).values() for application in applications]


def teams_wave(config: PlatformConfig) -> int:
    """The last wave (with `apps`): the team ApplicationSet and its Applications."""
    (apps,) = layer_files(config)["apps.yaml"]
    return int(apps["metadata"]["annotations"][SYNC_WAVE])


def render_argocd_repo(config: PlatformConfig) -> list[Manifest]:
    """Every file of the Argo CD seed for `config`'s environment (unsorted)."""
    stage_list = _stages(config)
    overlay = overlay_files(config, stage_list, wrap_chart=None)
    teams = all_team_files(config, argocd_wave=teams_wave(config))
    return [*_cluster_dir(config), *overlay, *_projects_dir(), *shared_files(config), *teams]


def _cluster_dir(config: PlatformConfig) -> list[Manifest]:
    env_dir = config.environment_path
    files = layer_files(config)
    return [
        Manifest(f"{env_dir}/README.md", docs.argocd_cluster_readme(config)),
        kustomization(env_dir, [*files, "teams.yaml"]),
        *(yaml_file(f"{env_dir}/{name}", *objects) for name, objects in files.items()),
    ]


def _projects_dir() -> list[Manifest]:
    return [Manifest("projects/README.md", docs.PROJECTS_README), kustomization("projects", [])]
