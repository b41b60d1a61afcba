"""The seed of a hub-managed Argo CD spoke (pure): its overlays, chart values, README and team directories.

The spoke runs no Argo CD: the hub's ApplicationSets (`fleet/<name>/` on the hub) apply what
this seed adds. Team directories: `clusters/<env>/<cluster>/teams/<team>/` for the spoke and
`clusters/<env>/<cluster>/hub/teams/<team>/` for the hub (`platform_kit.repo.argocd.fleet_teams`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from platform_kit.config.teams import TeamConfig
from platform_kit.repo.argocd.fleet import ManagedSpokeLayout
from platform_kit.repo.argocd.fleet_teams import spoke_agent_user, spoke_team_files
from platform_kit.repo.manifest import Manifest
from platform_kit.repo.services.layout import overlay_files, stages
from platform_kit.repo.shared import shared_files
from platform_kit.repo.teams.docs import teams_dir_readme
from platform_kit.repo.teams.layout import team_files, teams_dir


@dataclass(frozen=True)
class SpokeLayout(ManagedSpokeLayout):
    """The seed of a hub-managed Argo CD spoke: its overlays, chart values and README, no Argo CD of its own."""

    teams_how = (
        "the hub's `fleet-teams` ApplicationSets find every directory here with a Git directory\n"
        "generator and apply it to this cluster; `../hub/teams/<team>/` holds the team's AppProject\n"
        "and ApplicationSet, which the hub's `fleet-team-projects` applies on the hub"
    )

    @property
    def agent_user(self) -> str:
        """The hub's Argo CD as a user of this cluster (the teams' guardrails let only it change stores)."""
        return spoke_agent_user(self.config)

    def team_objects(self, team: TeamConfig) -> list[dict[str, Any]]:
        """None on the spoke: the team's project and ApplicationSet live on the hub (`hub/teams/<team>/`)."""
        return []

    def render(self) -> list[Manifest]:
        """The spoke's overlay (shared bases included), its values files, its cluster README and its teams."""
        config = self.config
        stage_list = stages(config, self)
        values = [
            Manifest(
                f"{config.environment_path}/values/{chart.release}.yaml",
                yaml.safe_dump(chart.values, sort_keys=False, width=1_000_000),
            )
            for stage in stage_list
            for chart in stage.charts
        ]
        readme = (
            f"# Spoke `{config.cluster.name}` ({config.environment})\n\n"
            "Managed by the hub's Argo CD (`fleet/` on the hub). `values/` holds this cluster's chart values;\n"
            f"`infrastructure/{config.environment}/` and `apps/{config.environment}/` are shared by every\n"
            "cluster of the environment. See docs/fleets.md.\n"
        )
        teams: list[Manifest] = []
        if config.teams:
            teams.append(Manifest(f"{teams_dir(config)}/README.md", teams_dir_readme(config, self.teams_how)))
            for team in config.teams:
                teams += team_files(config, team, self)
            teams += spoke_team_files(config, self.argocd)
        return [
            Manifest(f"{config.environment_path}/README.md", readme),
            *values,
            *overlay_files(config, stage_list, self),
            *shared_files(config),
            *teams,
        ]
