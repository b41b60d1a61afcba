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

from dataclasses import dataclass
from typing import Any

from platform_kit.config.models import FluxConfig, PlatformConfig
from platform_kit.config.teams import TeamConfig
from platform_kit.repo.flux import docs, monitoring
from platform_kit.repo.flux import teams as flux_teams
from platform_kit.repo.flux.helm import flux_helm_objects
from platform_kit.repo.flux.notifications import notification_objects
from platform_kit.repo.flux.objects import flux_instance, flux_kustomization, flux_operator_release
from platform_kit.repo.manifest import Manifest, kustomization, yaml_file
from platform_kit.repo.services.charts import HelmChart
from platform_kit.repo.services.layout import Stage, overlay_files, stages
from platform_kit.repo.shared import shared_files
from platform_kit.repo.teams.layout import all_team_files


@dataclass(frozen=True)
class FluxLayout:
    """The Flux layout of one environment (implements `platform_kit.repo.agent.AgentLayout`)."""

    config: PlatformConfig
    """The environment's config; `config.gitops` must be a FluxConfig."""

    agent = "flux"
    teams_how = (
        "the `teams` Kustomization (`../teams.yaml`) applies every directory here; no kustomization.yaml\n"
        "lists them, Flux generates one"
    )
    team_guardrail_rules = flux_teams.GUARDRAIL_RULES
    team_guardrail_validations = flux_teams.GUARDRAIL_VALIDATIONS

    def __post_init__(self) -> None:
        if not isinstance(self.config.gitops, FluxConfig):
            raise TypeError("the Flux layout needs gitops.agent = flux")

    @property
    def flux(self) -> FluxConfig:
        """The Flux settings (`config.gitops`)."""
        assert isinstance(self.config.gitops, FluxConfig)
        return self.config.gitops

    @property
    def agent_user(self) -> str:
        """The identity the platform's own Kustomizations apply as."""
        return flux_teams.agent_user(self.flux)

    def stage_chart_objects(self, chart: HelmChart) -> list[dict[str, Any]]:
        """HelmRepository + HelmRelease, kept in the chart's stage directory."""
        return flux_helm_objects(chart, self.flux)

    def monitoring_objects(self) -> list[dict[str, Any]]:
        """Flux's PodMonitors, alerts and dashboard."""
        return monitoring.monitoring_objects(self.flux.namespace)

    def teams_entry(self, teams_dir: str) -> dict[str, Any]:
        """The `teams` Kustomization over `teams_dir`."""
        return flux_teams.teams_kustomization(self.config, self.flux, teams_dir)

    def team_objects(self, team: TeamConfig) -> list[dict[str, Any]]:
        """The team's tenant (service accounts, impersonating Kustomization) and its notifications."""
        notifications = self.config.services.observability.notifications
        return [
            *flux_teams.tenant_objects(self.config, self.flux, team),
            *flux_teams.notification_objects(self.flux, team, notifications),
        ]

    def render(self) -> list[Manifest]:
        """Every file of the Flux seed for the environment (unsorted)."""
        stage_list = stages(self.config, self)
        overlay = overlay_files(self.config, stage_list, self)
        cluster = _cluster_dir(self.config, self.flux, stage_list)
        return [*cluster, *overlay, *shared_files(self.config), *all_team_files(self.config, self)]


def render_flux_repo(config: PlatformConfig) -> list[Manifest]:
    """Every file of the Flux seed for `config`'s environment (unsorted)."""
    return FluxLayout(config).render()


def _stage_kustomizations(flux: FluxConfig, stage_list: list[Stage]) -> list[dict[str, Any]]:
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
