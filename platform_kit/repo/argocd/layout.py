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
with kustomize patches (`platform_kit.repo.argocd.root`), so Git holds no literals.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from platform_kit.config.fleet import HubRole
from platform_kit.config.gitops import ArgoCdConfig
from platform_kit.config.models import PlatformConfig
from platform_kit.config.teams import TeamConfig
from platform_kit.repo.argocd import docs, monitoring
from platform_kit.repo.argocd import teams as argocd_teams
from platform_kit.repo.argocd.objects import (
    API_VERSION,
    IN_CLUSTER,
    PLATFORM_CLUSTER_KINDS,
    PLATFORM_PROJECT,
    SYNC_WAVE,
    config_repo_source,
    layer_application,
    object_meta,
    self_application,
)
from platform_kit.repo.argocd.services import stage_applications
from platform_kit.repo.manifest import Manifest, kustomization, yaml_file
from platform_kit.repo.services.charts import HelmChart
from platform_kit.repo.services.layout import (
    extra_cluster_kinds,
    overlay_files,
    service_destinations,
    stages,
)
from platform_kit.repo.shared import PLATFORM_NAMESPACE, shared_files
from platform_kit.repo.teams.layout import all_team_files

SELF_WAVE, PROJECTS_WAVE, FIRST_STAGE_WAVE = -3, -2, -1
"""Sync waves: Argo CD itself, then team projects, then one wave per infrastructure stage, then apps and teams."""
FLEET_APPLICATION = "fleet"
"""A hub's layer Application for `fleet/<name>/` (its ApplicationSets over the spokes: repo.argocd.fleet_hub)."""


@dataclass(frozen=True)
class ArgoCdLayout:
    """The Argo CD layout of one environment (implements `platform_kit.repo.agent.AgentLayout`)."""

    config: PlatformConfig
    """The environment's config; `config.gitops` must be an ArgoCdConfig."""

    agent = "argocd"
    teams_how = (
        "the `teams` ApplicationSet (`../teams.yaml`) finds every directory here with a Git\n"
        "directory generator and makes one Application (project `platform`) per team"
    )
    team_guardrail_rules = ()
    team_guardrail_validations = ()

    def __post_init__(self) -> None:
        if not isinstance(self.config.gitops, ArgoCdConfig):
            raise TypeError("the Argo CD layout needs gitops.agent = argocd")

    @property
    def argocd(self) -> ArgoCdConfig:
        """The Argo CD settings (`config.gitops`)."""
        assert isinstance(self.config.gitops, ArgoCdConfig)
        return self.config.gitops

    @property
    def agent_user(self) -> str:
        """The identity Argo CD applies as."""
        return argocd_teams.agent_user(self.argocd)

    def stage_chart_objects(self, chart: HelmChart) -> list[dict[str, Any]]:
        """None: charts are installed by Applications in `clusters/<env>/infrastructure.yaml`."""
        return []

    def monitoring_objects(self) -> list[dict[str, Any]]:
        """Argo CD's ServiceMonitors, alerts and dashboard."""
        return monitoring.monitoring_objects(self.argocd.namespace)

    def teams_entry(self, teams_dir: str) -> dict[str, Any]:
        """The `teams` ApplicationSet over `teams_dir`, in the last wave."""
        config = self.config
        return argocd_teams.teams_application_set(
            config, self.argocd, teams_dir, teams_wave(config), config.secrets_mode
        )

    def team_objects(self, team: TeamConfig) -> list[dict[str, Any]]:
        """The team's AppProject and the ApplicationSet deploying its directory."""
        return argocd_teams.tenant_objects(self.config, self.argocd, team, self.teams_wave)

    @cached_property
    def teams_wave(self) -> int:
        """The teams' sync wave, worked out once per render (it needs every layer Application)."""
        return teams_wave(self.config)

    def render(self) -> list[Manifest]:
        """Every file of the Argo CD seed for the environment (unsorted)."""
        overlay = overlay_files(self.config, stages(self.config, self), self)
        teams = all_team_files(self.config, self)
        fleet = self.fleet_files()
        return [*_cluster_dir(self.config), *overlay, *_projects_dir(), *shared_files(self.config), *teams, *fleet]

    def fleet_files(self) -> list[Manifest]:
        """A hub's `fleet/<name>/` directory: none here (`repo.argocd.fleet_hub.HubLayout` adds it)."""
        return []


def _argocd(config: PlatformConfig) -> ArgoCdConfig:
    return ArgoCdLayout(config).argocd


def layer_files(config: PlatformConfig, layout: ArgoCdLayout | None = None) -> dict[str, list[dict[str, Any]]]:
    """The layer Applications of `clusters/<env>/`, by file name, in wave order (`layout` decides which stages
    have content: the standalone one by default)."""
    argocd = _argocd(config)
    stage_list = stages(config, layout or ArgoCdLayout(config))
    infrastructure, apps_wave = stage_applications(argocd, stage_list, first_wave=FIRST_STAGE_WAVE)
    projects = layer_application(
        argocd, "projects", config_repo_source("projects"), PROJECTS_WAVE, namespace=argocd.namespace
    )
    apps_source = config_repo_source(f"apps/{config.environment}")
    apps = layer_application(argocd, "apps", apps_source, apps_wave, namespace=argocd.namespace)
    files = {
        "argocd.yaml": [self_application(config, argocd)],
        "projects.yaml": [projects],
        "infrastructure.yaml": infrastructure,
        "apps.yaml": [apps],
    }
    if config.fleet.role == "hub":  # the hub's ApplicationSets over its spokes (docs/fleets.md)
        files["fleet.yaml"] = [fleet_layer(config, argocd, apps_wave)]
    return files


def hub_role(config: PlatformConfig) -> HubRole:
    """The hub's fleet settings; TypeError for any other role."""
    if not isinstance(config.fleet, HubRole):
        raise TypeError("fleet files are rendered for a hub (fleet.role = hub)")
    return config.fleet


def fleet_dir(config: PlatformConfig) -> str:
    """The hub's fleet directory in the config repo."""
    return f"fleet/{hub_role(config).name}"


def fleet_layer(config: PlatformConfig, argocd: ArgoCdConfig, wave: int) -> dict[str, Any]:
    """The hub's layer Application applying `fleet/<name>/` (in the hub's last wave)."""
    source = config_repo_source(fleet_dir(config))
    return layer_application(argocd, FLEET_APPLICATION, source, wave, namespace=argocd.namespace)


def layer_applications(config: PlatformConfig, layout: ArgoCdLayout | None = None) -> list[dict[str, Any]]:
    """Every Application the root applies from `clusters/<env>/` (the team ApplicationSet aside)."""
    return [application for applications in layer_files(config, layout).values() for application in applications]


def teams_wave(config: PlatformConfig) -> int:
    """The last wave (with `apps`): the team ApplicationSet and its Applications."""
    (apps,) = layer_files(config)["apps.yaml"]
    return int(apps["metadata"]["annotations"][SYNC_WAVE])


def platform_project(config: PlatformConfig, argocd: ArgoCdConfig) -> dict[str, Any]:
    """The `platform` AppProject: the config repo (and Argo CD's chart), the platform and team namespaces only."""
    service_namespaces, service_repos = service_destinations(config, ArgoCdLayout(config))
    team_namespaces = [namespace for team in config.teams for namespace in team.all_namespaces]
    namespaces = dict.fromkeys(
        (argocd.namespace, PLATFORM_NAMESPACE, *service_namespaces, *argocd.platform_namespaces, *team_namespaces)
    )
    repos = dict.fromkeys(
        (config.repo.cluster_url, argocd.chart_repository, *service_repos, *argocd.platform_source_repos)
    )
    return {
        "apiVersion": API_VERSION,
        "kind": "AppProject",
        "metadata": object_meta(PLATFORM_PROJECT, argocd.namespace),
        "spec": {
            "description": "Platform layers from the config repo (owned by Pulumi via platform-kit)",
            "sourceRepos": list(repos),
            "destinations": [{"server": IN_CLUSTER, "namespace": namespace} for namespace in namespaces],
            "clusterResourceWhitelist": [
                {"group": group, "kind": kind}
                for group, kind in (*PLATFORM_CLUSTER_KINDS, *extra_cluster_kinds(config))
            ],
        },
    }


def _cluster_dir(config: PlatformConfig) -> list[Manifest]:
    env_dir = config.environment_path
    files = layer_files(config)
    return [
        Manifest(f"{env_dir}/README.md", docs.cluster_readme(config)),
        kustomization(env_dir, [*files, "teams.yaml"]),
        *(yaml_file(f"{env_dir}/{name}", *objects) for name, objects in files.items()),
    ]


def _projects_dir() -> list[Manifest]:
    return [Manifest("projects/README.md", docs.PROJECTS_README), kustomization("projects", [])]
