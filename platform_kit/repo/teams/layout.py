"""Where teams live in the config repo, for both agents (pure).

    clusters/<env>/teams.yaml        the agent's generator over the directory below (always present)
    clusters/<env>/teams/README.md   how to add a team (lists none)
    clusters/<env>/teams/<team>/     the team's platform side: namespaces, quota, network policies,
                                     access, secret store, guardrails, GitOps wiring (platform team)
    teams/<team>/README.md, base/    the team's own directory, shared by every environment (the team)
    teams/<team>/<env>/              the team's per-environment overlay; the agent applies this

Every file belongs to exactly one team, or to none and never mentions a team, so adding
a team creates files and changes no existing one.
"""

from __future__ import annotations

from platform_kit.config.gitops import ArgoCdConfig, FluxConfig
from platform_kit.config.models import PlatformConfig
from platform_kit.config.teams import TeamConfig
from platform_kit.repo.manifest import Manifest, kustomization, yaml_file
from platform_kit.repo.teams import argocd as argocd_teams
from platform_kit.repo.teams import flux as flux_teams
from platform_kit.repo.teams import objects
from platform_kit.repo.teams.docs import team_readme, teams_dir_readme


def teams_dir(config: PlatformConfig) -> str:
    """The environment's directory of team directories."""
    return f"{config.environment_path}/teams"


def secrets_mode(config: PlatformConfig) -> objects.SecretsMode | None:
    """How team stores reach AWS in this environment; None when secrets are off."""
    if not config.services.secrets.enabled:
        return None
    if config.secrets_auth == "static":
        return "static"
    return "irsa" if getattr(config.cluster, "workload_identity", None) == "irsa" else "pod-identity"


def entry_files(config: PlatformConfig, argocd_wave: int = 0) -> list[Manifest]:
    """`clusters/<env>/teams.yaml` (listed once in the environment's kustomization) and the directory README."""
    gitops, directory = config.gitops, teams_dir(config)
    if isinstance(gitops, FluxConfig):
        entry = flux_teams.teams_kustomization(config, gitops, directory)
    else:
        assert isinstance(gitops, ArgoCdConfig)
        entry = argocd_teams.teams_application_set(config, gitops, directory, argocd_wave, secrets_mode(config))
    return [
        yaml_file(f"{config.environment_path}/teams.yaml", entry),
        Manifest(f"{directory}/README.md", teams_dir_readme(config)),
    ]


def team_files(config: PlatformConfig, team: TeamConfig, argocd_wave: int = 0) -> list[Manifest]:
    """Every file that exists because of `team` (and no other)."""
    gitops, directory = config.gitops, f"{teams_dir(config)}/{team.name}"
    mode = secrets_mode(config)
    is_flux = isinstance(gitops, FluxConfig)
    if isinstance(gitops, FluxConfig):
        agent_user = flux_teams.agent_user(gitops)
        gitops_objects = flux_teams.tenant_objects(config, gitops, team)
        gitops_objects += flux_teams.notification_objects(gitops, team, config.services.observability.notifications)
    else:
        assert isinstance(gitops, ArgoCdConfig)
        agent_user = argocd_teams.agent_user(gitops)
        gitops_objects = argocd_teams.tenant_objects(config, gitops, team, argocd_wave)
    parts = {
        "namespaces.yaml": objects.namespaces(team),
        "quota.yaml": objects.quotas(team),
        "network-policies.yaml": objects.network_policies(team),
        "access.yaml": objects.owner_bindings(team),
        "secrets.yaml": objects.secret_stores(team, mode) if mode else [],
        "guardrails.yaml": objects.guardrails(team, agent_user, flux=is_flux),
        "gitops.yaml": gitops_objects,
    }
    parts = {name: body for name, body in parts.items() if body}
    own = f"teams/{team.name}"
    return [
        *(yaml_file(f"{directory}/{name}", *body) for name, body in parts.items()),
        kustomization(directory, list(parts)),
        Manifest(f"{own}/README.md", team_readme(team.name)),
        kustomization(f"{own}/base", []),
        kustomization(f"{own}/{config.environment}", ["../base"]),
    ]


def all_team_files(config: PlatformConfig, argocd_wave: int = 0) -> list[Manifest]:
    """The entry files and every configured team's files."""
    files = entry_files(config, argocd_wave)
    for team in config.teams:
        files += team_files(config, team, argocd_wave)
    return files
