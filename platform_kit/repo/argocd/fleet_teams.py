"""Teams on hub-managed spokes (pure): what a spoke seeds for its teams, and the hub's fixed ApplicationSets.

A spoke's seed adds, per team (create-only, so adding a team only adds files):

- `clusters/<env>/<cluster>/teams/<team>/`: what goes to the spoke, as on a standalone cluster
  (namespaces, quotas, network policies, access, the team's secret store, guardrails), with
  the same `${PLATFORM_*}` placeholders in the store.
- `clusters/<env>/<cluster>/hub/teams/<team>/`: what lives on the hub, in its Argo CD namespace:
  the team's AppProject `<cluster>-<team>` (the team's namespaces on this one spoke, named by
  its cluster name; `config.fleet.spoke_team_project`) and the ApplicationSet applying
  `teams/<team>/<env>` to this spoke in that project.

The hub's `fleet/<name>/teams.yaml` holds a fixed set of ApplicationSets whatever the number of
spokes and teams. Each is a matrix of the fleet's cluster generator and a Git directory
generator whose path is the selected spoke's own `platform-kit.io/repo-path` annotation (Argo CD
renders a matrix's second generator with the first one's parameters, since v2.5):

- `fleet-teams[-<secrets modes>]`: each spoke team directory onto its spoke (project
  `fleet-teams`), the store's placeholders filled from that spoke's annotations, the role from
  `platform-kit.io/team-<team>-role-arn`; one variant per set of secrets modes whose patches differ.
- `fleet-team-projects`: each hub-side team directory onto the hub (project
  `fleet-team-projects`: AppProjects and ApplicationSets in the Argo CD namespace, nothing else).

A deregistered spoke keeps its team workloads (as its platform layers); its team projects and
ApplicationSets on the hub are deleted with their Applications (they are the hub's own objects).
"""

from __future__ import annotations

from typing import Any

from platform_kit.config.fleet import HUB_USERNAME, MANAGER_ACCOUNT, MANAGER_NAMESPACE, spoke_team_project
from platform_kit.config.gitops import ArgoCdConfig
from platform_kit.config.metadata import annotation_template, metadata_key
from platform_kit.config.models import PlatformConfig
from platform_kit.config.teams import TeamConfig
from platform_kit.repo.argocd import layout as argocd_layout
from platform_kit.repo.argocd.fleet import (
    DIMENSIONS,
    LAYER_LABEL,
    ROLE_LABEL,
    SECRETS_MODE_LABEL,
    FleetLayer,
    fleet_application_set,
    profile_config,
    spoke_selector,
)
from platform_kit.repo.argocd.objects import API_VERSION, FINALIZER, IN_CLUSTER, object_meta, sync_policy
from platform_kit.repo.argocd.teams import TEAM_SYNC_OPTIONS, team_patches, team_project, tenant_application_set
from platform_kit.repo.manifest import Manifest, kustomization, yaml_file
from platform_kit.repo.teams.objects import TEAM_LABEL

FLEET_TEAMS_PROJECT = "fleet-teams"
"""AppProject of the spokes' team directories (platform-owned): any namespace of every spoke, never the hub."""
FLEET_TEAM_PROJECTS_PROJECT = "fleet-team-projects"
"""AppProject of the spokes' hub-side team directories: AppProjects and ApplicationSets in Argo CD's namespace."""
TEAMS_LAYER = "team"
"""Layer label of a spoke team directory's Application."""
TEAM_PROJECTS_LAYER = "team-project"
"""Layer label of a hub-side team directory's Application."""
HUB_TEAMS_DIR = "hub/teams"
"""Directory (under a spoke's own path) of what its teams need on the hub."""
TEAM_CLUSTER_KINDS = (
    ("", "Namespace"),
    ("external-secrets.io", "ClusterSecretStore"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
)
"""Cluster-scoped kinds of a spoke team directory (`fleet-teams` permits these only)."""
HUB_TEAM_KINDS = (("argoproj.io", "AppProject"), ("argoproj.io", "ApplicationSet"))
"""The only kinds a hub-side team directory may hold."""

SPOKE_SECRETS_SCOPE = annotation_template("environment") + "/" + annotation_template("cluster_name")
"""A spoke's secrets scope, `<env>/<cluster>` (`PlatformConfig.secrets_scope`): its teams' secrets live under it."""


def spoke_agent_user(config: PlatformConfig) -> str:
    """Who the hub's Argo CD is on this spoke: its access entry's user (EKS) or the `argocd-manager` account."""
    if config.cluster.kind == "eks":
        return HUB_USERNAME
    return f"system:serviceaccount:{MANAGER_NAMESPACE}:{MANAGER_ACCOUNT}"


def hub_team_dir(config: PlatformConfig, team: TeamConfig) -> str:
    """A spoke's directory of `team`'s objects on the hub."""
    return f"{config.environment_path}/{HUB_TEAMS_DIR}/{team.name}"


def hub_team_objects(config: PlatformConfig, argocd: ArgoCdConfig, team: TeamConfig) -> list[dict[str, Any]]:
    """The team's AppProject on the hub (its namespaces on this spoke only) and its ApplicationSet there."""
    cluster = config.cluster.name
    name = spoke_team_project(cluster, team.name)
    destinations = [{"name": cluster, "namespace": namespace} for namespace in team.all_namespaces]
    project = team_project(team, name, destinations, argocd.namespace)
    app_set = tenant_application_set(config, argocd, team, name, 0)
    spec = app_set["spec"]
    selector = {metadata_key("environment"): config.environment, metadata_key("cluster_name"): cluster}
    spec["generators"] = [{"clusters": {"selector": {"matchLabels": {**selector, ROLE_LABEL: "spoke"}}}}]
    template = spec["template"]
    template["metadata"]["name"] = name
    del template["metadata"]["finalizers"]  # the spoke may be gone: never wait on it
    template["spec"]["destination"] = {"name": "{{ .name }}", "namespace": team.home_namespace}
    spec["syncPolicy"] = {"preserveResourcesOnDeletion": True}
    return [project, app_set]


def spoke_team_files(config: PlatformConfig, argocd: ArgoCdConfig) -> list[Manifest]:
    """Every team's hub-side directory of this spoke (the spoke-side ones come from `repo.teams.layout`)."""
    files = []
    for team in config.teams:
        directory = hub_team_dir(config, team)
        files += [yaml_file(f"{directory}/gitops.yaml", *hub_team_objects(config, argocd, team))]
        files += [kustomization(directory, ["gitops.yaml"])]
    return files


# -- the hub ---------------------------------------------------------------------------------


def _directories(subdirectory: str) -> dict[str, Any]:
    """Git directory generator over `<the selected spoke's repo path>/<subdirectory>/*`."""
    return {
        "git": {
            "repoURL": annotation_template("repo_url"),
            "revision": annotation_template("repo_branch"),
            "directories": [{"path": annotation_template("repo_path") + f"/{subdirectory}/*"}],
        }
    }


def _template(
    layer: str, project: str, destination: dict[str, str], patches: list[dict[str, Any]], policy: dict[str, Any]
) -> dict[str, Any]:
    """Application template for one team directory of the selected spoke (labels for RollingSync and tests)."""
    keys = (metadata_key("environment"), metadata_key("cluster_name"))
    labels = {key: '{{ index .metadata.labels "' + key + '" }}' for key in keys}
    source: dict[str, Any] = {
        "repoURL": annotation_template("repo_url"),
        "targetRevision": annotation_template("repo_branch"),
        "path": "{{ .path.path }}",
    }
    if patches:
        source["kustomize"] = {"patches": patches}
    return {
        "metadata": {
            "name": "{{ .nameNormalized }}-" + layer + "-{{ .path.basename }}",
            "labels": {**labels, LAYER_LABEL: layer, TEAM_LABEL: "{{ .path.basename }}"},
        },
        "spec": {"project": project, "source": source, "destination": destination, "syncPolicy": policy},
    }


def team_layers(config: PlatformConfig) -> list[FleetLayer]:
    """The spoke team directories' ApplicationSets: one per set of secrets modes with the same patches."""
    argocd = argocd_layout.ArgoCdLayout(config).argocd
    by_patches: dict[str, tuple[list, list[str]]] = {}
    for mode in DIMENSIONS[SECRETS_MODE_LABEL]:
        patches = [
            p
            for p in team_patches(None if mode == "none" else mode, SPOKE_SECRETS_SCOPE)
            if p["target"]["kind"] != "AppProject"
        ]
        by_patches.setdefault(repr(patches), (patches, []))[1].append(mode)
    layers = []
    for patches, modes in by_patches.values():
        everyone = len(modes) == len(DIMENSIONS[SECRETS_MODE_LABEL])
        destination = {"server": "{{ .server }}", "namespace": "default"}  # every object names its namespace
        policy = sync_policy(argocd, *TEAM_SYNC_OPTIONS)
        template = _template(TEAMS_LAYER, FLEET_TEAMS_PROJECT, destination, patches, policy)
        name = "fleet-teams" + ("" if everyone else "-" + "-".join(modes))
        selector = {} if everyone else {SECRETS_MODE_LABEL: tuple(modes)}
        layers.append(FleetLayer(name, selector, template, _teams_wave(config)))
    return layers


def _teams_wave(config: PlatformConfig) -> int:
    return argocd_layout.teams_wave(profile_config(config, "none", "disabled", "disabled"))


def team_application_sets(config: PlatformConfig) -> list[dict[str, Any]]:
    """The hub's ApplicationSets for its spokes' teams: a fixed number, whatever the spokes and teams."""
    argocd = argocd_layout.ArgoCdLayout(config).argocd
    app_sets = []
    for layer in team_layers(config):
        clusters = {"clusters": {"selector": spoke_selector(config, layer.selector)}}
        matrix = {"matrix": {"generators": [clusters, _directories("teams")]}}
        app_sets.append(fleet_application_set(config, argocd, layer, matrix))
    project_patches = [p for p in team_patches(None) if p["target"]["kind"] == "AppProject"]  # the repo URL
    destination = {"server": IN_CLUSTER, "namespace": argocd.namespace}
    template = _template(TEAM_PROJECTS_LAYER, FLEET_TEAM_PROJECTS_PROJECT, destination, project_patches, {})
    template["metadata"]["finalizers"] = [FINALIZER]  # the hub's own objects: deleted with the Application
    template["spec"]["syncPolicy"] = sync_policy(argocd)
    layer = FleetLayer("fleet-team-projects", {}, template, _teams_wave(config))
    clusters = {"clusters": {"selector": spoke_selector(config, {})}}
    matrix = {"matrix": {"generators": [clusters, _directories(HUB_TEAMS_DIR)]}}
    app_sets.append(fleet_application_set(config, argocd, layer, matrix, preserve=False))
    return app_sets


def team_projects(config: PlatformConfig) -> list[dict[str, Any]]:
    """`fleet-teams` (team directories onto any spoke, never the hub) and `fleet-team-projects` (the hub's side)."""
    argocd = argocd_layout.ArgoCdLayout(config).argocd
    repos = [config.repo.cluster_url]
    teams = {
        "apiVersion": API_VERSION,
        "kind": "AppProject",
        "metadata": object_meta(FLEET_TEAMS_PROJECT, argocd.namespace),
        "spec": {
            "description": "Spoke team directories (clusters/<env>/<cluster>/teams/, platform-owned) on any spoke",
            "sourceRepos": repos,
            "destinations": [{"server": "!" + IN_CLUSTER, "namespace": "*"}],
            "clusterResourceWhitelist": [{"group": group, "kind": kind} for group, kind in TEAM_CLUSTER_KINDS],
        },
    }
    hub_side = {
        "apiVersion": API_VERSION,
        "kind": "AppProject",
        "metadata": object_meta(FLEET_TEAM_PROJECTS_PROJECT, argocd.namespace),
        "spec": {
            "description": "Spoke teams' projects and ApplicationSets (clusters/<env>/<cluster>/hub/teams/) on the hub",
            "sourceRepos": repos,
            "destinations": [{"server": IN_CLUSTER, "namespace": argocd.namespace}],
            "clusterResourceWhitelist": [],
            "namespaceResourceWhitelist": [{"group": group, "kind": kind} for group, kind in HUB_TEAM_KINDS],
        },
    }
    return [teams, hub_side]
