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

from platform_kit.config.models import PlatformConfig
from platform_kit.config.teams import TeamConfig
from platform_kit.repo.agent import AgentLayout
from platform_kit.repo.manifest import Manifest, kustomization, yaml_file
from platform_kit.repo.teams import objects
from platform_kit.repo.teams.docs import team_readme, teams_dir_readme


def teams_dir(config: PlatformConfig) -> str:
    """The environment's directory of team directories."""
    return f"{config.environment_path}/teams"


def entry_files(config: PlatformConfig, agent: AgentLayout) -> list[Manifest]:
    """`clusters/<env>/teams.yaml` (listed once in the environment's kustomization) and the directory README."""
    directory = teams_dir(config)
    return [
        yaml_file(f"{config.environment_path}/teams.yaml", agent.teams_entry(directory)),
        Manifest(f"{directory}/README.md", teams_dir_readme(config, agent.teams_how)),
    ]


def team_files(config: PlatformConfig, team: TeamConfig, agent: AgentLayout) -> list[Manifest]:
    """Every file that exists because of `team` (and no other)."""
    directory, mode = f"{teams_dir(config)}/{team.name}", config.secrets_mode
    guardrails = objects.guardrails(
        team, agent.agent_user, agent.team_guardrail_rules, agent.team_guardrail_validations
    )
    parts = {
        "namespaces.yaml": objects.namespaces(team),
        "quota.yaml": objects.quotas(team),
        "network-policies.yaml": objects.network_policies(team),
        "access.yaml": objects.owner_bindings(team),
        "secrets.yaml": objects.secret_stores(team, mode, config.is_spoke) if mode else [],
        "guardrails.yaml": guardrails,
        "gitops.yaml": agent.team_objects(team),
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


def all_team_files(config: PlatformConfig, agent: AgentLayout) -> list[Manifest]:
    """The entry files and every configured team's files."""
    files = entry_files(config, agent)
    for team in config.teams:
        files += team_files(config, team, agent)
    return files
