"""The Argo CD layout of the config repo (pure).

Layout (shared directories come from `platform_kit.repo.shared` and are identical to
the Flux layout's, so one repository can serve both agents):

    clusters/<env>/                the root Application applies this directory, wave by wave
      argocd.yaml                  wave -3: Argo CD's own chart and values (Argo CD upgrades itself)
      projects.yaml                wave -2: ApplicationSet for projects/
      infrastructure.yaml          wave -1 / 0: ApplicationSets for infrastructure/controllers, configs
      apps.yaml                    wave 1: ApplicationSet for apps/<env>
      teams.yaml, teams/           same wave: ApplicationSet over the team directories (platform_kit.repo.teams)
    projects/                      team AppProjects (Argo CD only)
    README.md, infrastructure/, apps/   shared (see platform_kit.repo.shared)

Every ApplicationSet uses the cluster generator on this environment's cluster Secret and
takes the repository coordinates and infrastructure values from its annotations.
"""

from __future__ import annotations

from platform_kit.config.gitops import ArgoCdConfig
from platform_kit.config.metadata import annotation_template
from platform_kit.config.models import PlatformConfig
from platform_kit.repo import docs
from platform_kit.repo.argocd import layer_application_set, self_application
from platform_kit.repo.argocd_services import stage_application_sets
from platform_kit.repo.manifest import Manifest, kustomization, yaml_file
from platform_kit.repo.services.layout import Stage, overlay_files, stages
from platform_kit.repo.shared import shared_files
from platform_kit.repo.teams.layout import all_team_files


def render_argocd_repo(config: PlatformConfig) -> list[Manifest]:
    """Every file of the Argo CD seed for `config`'s environment (unsorted)."""
    argocd = config.gitops
    if not isinstance(argocd, ArgoCdConfig):
        raise TypeError("the Argo CD layout needs gitops.agent = argocd")
    stage_list = stages(config, "argocd", annotation_template)
    overlay = overlay_files(config, stage_list, wrap_chart=None)
    _, apps_wave = stage_application_sets(config, argocd, stage_list, first_wave=-1)
    teams = all_team_files(config, argocd_wave=apps_wave)
    return [*_cluster_dir(config, argocd, stage_list), *overlay, *_projects_dir(), *shared_files(config), *teams]


def _cluster_dir(config: PlatformConfig, argocd: ArgoCdConfig, stage_list: list[Stage]) -> list[Manifest]:
    env_dir = config.environment_path
    projects = layer_application_set(config, argocd, "projects", "projects", -2, namespace=argocd.namespace)
    infrastructure, apps_wave = stage_application_sets(config, argocd, stage_list, first_wave=-1)
    apps_path = "apps/" + annotation_template("environment")
    apps = layer_application_set(config, argocd, "apps", apps_path, apps_wave, namespace=argocd.namespace)
    return [
        Manifest(f"{env_dir}/README.md", docs.argocd_cluster_readme(config)),
        kustomization(env_dir, ["argocd.yaml", "projects.yaml", "infrastructure.yaml", "apps.yaml", "teams.yaml"]),
        yaml_file(f"{env_dir}/argocd.yaml", self_application(config, argocd)),
        yaml_file(f"{env_dir}/projects.yaml", projects),
        yaml_file(f"{env_dir}/infrastructure.yaml", *infrastructure),
        yaml_file(f"{env_dir}/apps.yaml", apps),
    ]


def _projects_dir() -> list[Manifest]:
    return [Manifest("projects/README.md", docs.PROJECTS_README), kustomization("projects", [])]
