"""The layout protocol: what the agent-neutral parts of the config repo ask of an agent (pure).

`platform_kit.repo.services` (the environment's stages) and `platform_kit.repo.teams` (team
directories) are the same for every agent; where they need the agent, they receive an
`AgentLayout`. Each agent's package (`platform_kit.repo.flux`, `platform_kit.repo.argocd`)
implements it, and `platform_kit.repo.render.agent_layout` is the one place that picks one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from platform_kit.config.teams import TeamConfig
    from platform_kit.repo.manifest import Manifest
    from platform_kit.repo.services.charts import HelmChart


class AgentLayout(Protocol):
    """One environment's config repo as laid out for its GitOps agent."""

    agent: Literal["flux", "argocd"]
    """The `gitops.agent` this layout serves."""
    agent_user: str
    """The Kubernetes identity the agent applies platform objects as."""
    teams_how: str
    """How the agent finds team directories (a sentence of `clusters/<env>/teams/README.md`)."""
    team_guardrail_rules: Sequence[dict[str, Any]]
    """Admission rules the agent adds to every team's guardrail policy."""
    team_guardrail_validations: Sequence[dict[str, Any]]
    """Validations the agent adds to every team's guardrail policy."""

    def stage_chart_objects(self, chart: HelmChart) -> list[dict[str, Any]]:
        """Objects that install `chart` from its stage directory; empty when the agent installs charts elsewhere."""
        ...

    def monitoring_objects(self) -> list[dict[str, Any]]:
        """The agent's own scrape configs, alerts and dashboard."""
        ...

    def teams_entry(self, teams_dir: str) -> dict[str, Any]:
        """The object (in `clusters/<env>/teams.yaml`) that applies every team directory under `teams_dir`."""
        ...

    def team_objects(self, team: TeamConfig) -> list[dict[str, Any]]:
        """The agent's wiring for `team` (tenant, project, notifications), kept in the team's directory."""
        ...

    def render(self) -> list[Manifest]:
        """Every file of the environment's seed (unsorted)."""
        ...
