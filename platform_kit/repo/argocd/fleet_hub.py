"""The hub's `fleet/<name>/` directory (pure): its ApplicationSets, AppProjects, alerts and README.

The projects keep each kind of generated Application to its destinations: `fleet` the platform
namespaces of every spoke, `fleet-apps` any namespace of every spoke, and for teams on spokes
`fleet-teams` / `fleet-team-projects` (`platform_kit.repo.argocd.fleet_teams`). None of them
reaches the hub itself except `fleet-team-projects`, which may only hold AppProjects and
ApplicationSets in the hub's Argo CD namespace.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from platform_kit.config.models import PlatformConfig
from platform_kit.repo.argocd import layout as argocd_layout
from platform_kit.repo.argocd.fleet import (
    DIMENSIONS,
    FLEET_APPS_PROJECT,
    FLEET_PROJECT,
    fleet_application_sets,
    profile_config,
)
from platform_kit.repo.argocd.fleet_teams import team_application_sets, team_projects
from platform_kit.repo.argocd.objects import API_VERSION, IN_CLUSTER, PLATFORM_CLUSTER_KINDS, object_meta
from platform_kit.repo.manifest import Manifest, kustomization, yaml_file
from platform_kit.repo.services.alerts import alert, prometheus_rule
from platform_kit.repo.services.layout import service_destinations
from platform_kit.repo.shared import PLATFORM_NAMESPACE


def fleet_destinations(namespaces: Iterable[str]) -> list[dict[str, str]]:
    """Each platform namespace on any cluster but the hub's own: `{server: "!<in-cluster>", namespace: ns}`.

    Argo CD 3.0 (`AppProject.isDestinationMatched`) reads a negated server both ways: the entry
    permits its namespace on every other server, and denies the hub when the namespace matches. So the
    negation goes on every namespace's entry; a separate `{server: "!<in-cluster>", namespace: "*"}`
    would deny the hub but also permit every namespace on every spoke."""
    return [{"server": "!" + IN_CLUSTER, "namespace": namespace} for namespace in namespaces]


def fleet_project(config: PlatformConfig) -> dict[str, Any]:
    """The `fleet` AppProject: the config repo and the platform charts, platform namespaces on any spoke."""
    argocd = argocd_layout.ArgoCdLayout(config).argocd
    namespaces: dict[str, None] = {PLATFORM_NAMESPACE: None}
    repos: dict[str, None] = {config.repo.cluster_url: None}
    for profile in itertools.product(*DIMENSIONS.values()):
        spoke = profile_config(config, *profile)
        found_namespaces, found_repos = service_destinations(spoke, argocd_layout.ArgoCdLayout(spoke))
        namespaces.update(dict.fromkeys(found_namespaces))
        repos.update(dict.fromkeys(found_repos))
    return {
        "apiVersion": API_VERSION,
        "kind": "AppProject",
        "metadata": object_meta(FLEET_PROJECT, argocd.namespace),
        "spec": {
            "description": "Platform layers the hub applies to its spokes (fleet/, platform-kit)",
            "sourceRepos": list(repos),
            "destinations": fleet_destinations(namespaces),
            "clusterResourceWhitelist": [{"group": group, "kind": kind} for group, kind in PLATFORM_CLUSTER_KINDS],
        },
    }


def fleet_apps_project(config: PlatformConfig) -> dict[str, Any]:
    """The `fleet-apps` AppProject: the config repo's `apps/<env>` in any namespace of every spoke, not the hub.

    The one entry `{server: "!<in-cluster>", namespace: "*"}` is both the permission (every namespace of
    every other server) and the denial (the hub, whatever the namespace) under Argo CD 3.0's rule."""
    return {
        "apiVersion": API_VERSION,
        "kind": "AppProject",
        "metadata": object_meta(FLEET_APPS_PROJECT, argocd_layout.ArgoCdLayout(config).argocd.namespace),
        "spec": {
            "description": "Workloads of apps/<env> on the hub's spokes (fleet/, platform-kit)",
            "sourceRepos": [config.repo.cluster_url],
            "destinations": [{"server": "!" + IN_CLUSTER, "namespace": "*"}],
            "clusterResourceWhitelist": [{"group": "", "kind": "Namespace"}],
        },
    }


def fleet_alerts(config: PlatformConfig) -> dict[str, Any]:
    """The hub's alerts on its spokes: not reporting (connection lost) and drifting (OutOfSync too long)."""
    hub = argocd_layout.hub_role(config)
    spokes = f'server!="{IN_CLUSTER}"'
    rules = [
        alert(
            "ArgoCdSpokeNotReporting",
            f"argocd_cluster_connection_status{{{spokes}}} == 0",
            hub.not_reporting_after,
            "critical",
            "A spoke stopped reporting to the hub",
            "Argo CD on the hub has not reached {{ $labels.server }} for " + hub.not_reporting_after + ".",
        ),
        alert(
            "ArgoCdSpokeOutOfSync",
            f'argocd_app_info{{project="{FLEET_PROJECT}",sync_status="OutOfSync"}} == 1',
            hub.drift_threshold,
            "warning",
            "A spoke drifted from the config repo",
            "{{ $labels.name }} on {{ $labels.dest_server }} has been OutOfSync for " + hub.drift_threshold + ".",
        ),
    ]
    rule = prometheus_rule("platform-kit-fleet", "fleet", rules)
    rule["metadata"]["namespace"] = argocd_layout.ArgoCdLayout(config).argocd.namespace
    return rule


def hub_files(config: PlatformConfig) -> list[Manifest]:
    """`fleet/<name>/`: layer and team ApplicationSets and projects, the alerts (with observability), a README."""
    directory = argocd_layout.fleet_dir(config)
    files = {
        "project.yaml": [fleet_project(config), fleet_apps_project(config)],
        "applicationsets.yaml": fleet_application_sets(config),
        "teams.yaml": [*team_projects(config), *team_application_sets(config)],
    }
    if config.services.observability.enabled:
        files["alerts.yaml"] = [fleet_alerts(config)]
    readme = (
        f"# Fleet `{argocd_layout.hub_role(config).name}`\n\n"
        "ApplicationSets of the hub's Argo CD: one per platform layer (and variant), each selecting the\n"
        "spokes registered on the hub by their cluster Secret's labels. Their number does not depend on\n"
        "the number of spokes. Rollout order: RollingSync by environment. A deregistered spoke's\n"
        "Applications are deleted without deleting its workloads. `teams.yaml`: the spokes' teams, found\n"
        "in each spoke's `teams/` and `hub/teams/` directories (no team is listed here). See docs/fleets.md.\n"
    )
    return [
        Manifest(f"{directory}/README.md", readme),
        kustomization(directory, list(files)),
        *(yaml_file(f"{directory}/{name}", *objects) for name, objects in files.items()),
    ]


@dataclass(frozen=True)
class HubLayout(argocd_layout.ArgoCdLayout):
    """A fleet hub's seed: a standalone Argo CD environment plus `fleet/<name>/` (its ApplicationSets over
    the spokes, their projects and alerts)."""

    def fleet_files(self) -> list[Manifest]:
        """The hub's `fleet/<name>/` directory."""
        return hub_files(self.config)
