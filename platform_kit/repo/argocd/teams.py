"""Argo CD objects for teams (pure).

`clusters/<env>/teams.yaml` holds one ApplicationSet, `teams`: a matrix of this
environment's cluster Secret and a Git directory generator over `clusters/<env>/teams/*`,
so a new team directory becomes an Application (project `platform`) without any listed
file changing. Its kustomize patches fill the `${PLATFORM_*}` placeholders of every team
directory from the cluster Secret's annotations - the team's role from
`platform-kit.io/team-<team>-role-arn`, the team being the directory's name.

Each team directory adds the team's AppProject (only the config repo and the team's
repositories, only the team's namespaces, no cluster-scoped kinds) and an ApplicationSet
for `teams/<team>/<env>` in that project.

These stay ApplicationSets (a new team must not change any listed file) in the last sync
wave. The root waits only for the ApplicationSets themselves (Argo CD's built-in health:
generated without error), not for the Applications they generate: an ApplicationSet's
`status.resources` is not refreshed when those change (see docs/gitops-agents.md).
"""

from __future__ import annotations

from typing import Any

import yaml

from platform_kit.config.gitops import ArgoCdConfig
from platform_kit.config.metadata import annotation_template, metadata_key, team_annotation_template, variable
from platform_kit.config.models import PlatformConfig
from platform_kit.config.teams import TeamConfig
from platform_kit.repo.argocd.objects import (
    API_VERSION,
    FINALIZER,
    IN_CLUSTER,
    PLATFORM_PROJECT,
    SYNC_WAVE,
    sync_policy,
)
from platform_kit.repo.teams.objects import IRSA_ANNOTATION, TEAM_STORE, SecretsMode, labels

TEAMS_APPLICATION_SET = "teams"
"""ApplicationSet generating one platform Application per team directory."""

TEAM_SYNC_OPTIONS = ("SkipDryRunOnMissingResource=true", "ServerSideApply=true")
"""Team directories use ESO's CRDs, installed by an earlier wave."""

DENIED_KINDS = (
    ("", "ResourceQuota"),
    ("", "LimitRange"),
    ("rbac.authorization.k8s.io", "Role"),
    ("rbac.authorization.k8s.io", "RoleBinding"),
    ("external-secrets.io", "SecretStore"),
)
"""Namespaced kinds a team's Applications may not manage (the platform sets them for the team)."""


def agent_user(argocd: ArgoCdConfig) -> str:
    """The identity Argo CD applies as."""
    return f"system:serviceaccount:{argocd.namespace}:argocd-application-controller"


def project_name(team: TeamConfig) -> str:
    """The team's AppProject."""
    return f"team-{team.name}"


def _op(path: str, value: str) -> dict[str, str]:
    return {"op": "replace", "path": path, "value": value}


def team_patches(mode: SecretsMode | None, scope: str | None = None) -> list[dict[str, Any]]:
    """JSON patches that fill every team directory's placeholders; valid for any team (targets by kind).
    `scope` is the Go template of the secrets scope (`<env>` by default; a spoke's is `<env>/<cluster>`)."""
    prefix = (scope or annotation_template("environment")) + "/teams/{{ .path.basename }}/"
    store = [_op("/spec/provider/aws/region", annotation_template("secrets_region"))]
    store.append(_op("/spec/provider/aws/prefix", prefix))
    patches = [
        ({"group": "argoproj.io", "kind": "AppProject"}, [_op("/spec/sourceRepos/0", annotation_template("repo_url"))])
    ]
    if mode == "static":
        patches.append(({"group": "external-secrets.io", "kind": "ClusterSecretStore"}, store))
    elif mode is not None:
        if mode == "pod-identity":
            store.append(_op("/spec/provider/aws/role", team_annotation_template()))
        patches.append(({"group": "external-secrets.io", "kind": "SecretStore", "name": TEAM_STORE}, store))
    if mode == "irsa":
        account = [_op("/metadata/annotations/" + IRSA_ANNOTATION.replace("/", "~1"), team_annotation_template())]
        patches.append(({"kind": "ServiceAccount", "name": TEAM_STORE}, account))
    return [
        {"target": target, "patch": yaml.safe_dump(ops, sort_keys=False, width=1_000_000)} for target, ops in patches
    ]


def team_application_set(
    config: PlatformConfig,
    argocd: ArgoCdConfig,
    name: str,
    path: str,
    wave: int,
    *,
    namespace: str,
    patches: list[dict[str, Any]] | None = None,
    sync_options: tuple[str, ...] = (),
) -> dict[str, Any]:
    """An ApplicationSet that applies `path` of the config repo to this environment's cluster.

    The cluster generator selects the cluster Secret of `config.environment`; the repository
    URL, branch and any contract value come from its annotations, never from literals. The
    root does not wait for the Applications it generates (only for the ApplicationSet).
    """
    source: dict[str, Any] = {
        "repoURL": annotation_template("repo_url"),
        "targetRevision": annotation_template("repo_branch"),
        "path": path,
    }
    if patches:
        source["kustomize"] = {"patches": patches}
    return {
        "apiVersion": API_VERSION,
        "kind": "ApplicationSet",
        "metadata": {"name": name, "namespace": argocd.namespace, "annotations": {SYNC_WAVE: str(wave)}},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": [
                {"clusters": {"selector": {"matchLabels": {metadata_key("environment"): config.environment}}}}
            ],
            "template": {
                "metadata": {
                    "name": "{{ .nameNormalized }}-" + name,
                    "annotations": {SYNC_WAVE: str(wave)},
                    "finalizers": [FINALIZER],
                },
                "spec": {
                    "project": PLATFORM_PROJECT,
                    "source": source,
                    "destination": {"server": "{{ .server }}", "namespace": namespace},
                    "syncPolicy": sync_policy(argocd, *sync_options),
                },
            },
            "syncPolicy": {"preserveResourcesOnDeletion": False},
        },
    }


def teams_application_set(
    config: PlatformConfig, argocd: ArgoCdConfig, teams_dir: str, wave: int, mode: SecretsMode | None
) -> dict[str, Any]:
    """The `teams` ApplicationSet: one Application per directory under `teams_dir`, found by Git."""
    body = team_application_set(
        config,
        argocd,
        TEAMS_APPLICATION_SET,
        "{{ .path.path }}",
        wave,
        namespace=argocd.namespace,
        patches=team_patches(mode),
        sync_options=TEAM_SYNC_OPTIONS,
    )
    spec = body["spec"]
    clusters = spec["generators"][0]
    git = {
        "repoURL": annotation_template("repo_url"),
        "revision": annotation_template("repo_branch"),
        "directories": [{"path": f"{teams_dir}/*"}],
    }
    spec["generators"] = [{"matrix": {"generators": [clusters, {"git": git}]}}]
    spec["template"]["metadata"]["name"] = "{{ .nameNormalized }}-team-{{ .path.basename }}-platform"
    return body


def team_project(team: TeamConfig, name: str, destinations: list[dict[str, str]], namespace: str) -> dict[str, Any]:
    """The team's AppProject `name`: the config repo and the team's repositories, `destinations`, no cluster kinds."""
    return {
        "apiVersion": API_VERSION,
        "kind": "AppProject",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": labels(team),
            "annotations": {SYNC_WAVE: "-1"},
        },
        "spec": {
            "description": f"Team {team.name}: its repositories, its namespaces, no cluster-scoped kinds",
            "sourceRepos": [variable("repo_url"), *team.source_repos],
            "destinations": destinations,
            "clusterResourceWhitelist": [],
            "namespaceResourceBlacklist": [{"group": group, "kind": kind} for group, kind in DENIED_KINDS],
            "roles": [
                {
                    "name": "owners",
                    "description": "The team's owner groups: manage the team's Applications",
                    "groups": list(team.owners),
                    "policies": [f"p, proj:{name}:owners, applications, *, {name}/*, allow"],
                }
            ],
        },
    }


def tenant_application_set(
    config: PlatformConfig, argocd: ArgoCdConfig, team: TeamConfig, name: str, wave: int
) -> dict[str, Any]:
    """The ApplicationSet deploying `teams/<team>/<env>` in project `name` (notifications on the team's channel)."""
    app_set = team_application_set(
        config, argocd, name, f"teams/{team.name}/{config.environment}", wave, namespace=team.home_namespace
    )
    app_set["metadata"]["labels"] = labels(team)
    app_set["metadata"]["annotations"] = {SYNC_WAVE: "0"}
    template = app_set["spec"]["template"]
    template["spec"]["project"] = name
    if team.channel is not None and config.services.observability.notifications is not None:
        template["metadata"]["annotations"] |= {
            f"notifications.argoproj.io/subscribe.{trigger}.platform": team.channel
            for trigger in ("on-sync-failed", "on-health-degraded")
        }
    return app_set


def tenant_objects(config: PlatformConfig, argocd: ArgoCdConfig, team: TeamConfig, wave: int) -> list[dict[str, Any]]:
    """The team's AppProject and the ApplicationSet deploying `teams/<team>/<env>` in it."""
    name = project_name(team)
    destinations = [{"server": IN_CLUSTER, "namespace": namespace} for namespace in team.all_namespaces]
    project = team_project(team, name, destinations, argocd.namespace)
    return [project, tenant_application_set(config, argocd, team, name, wave)]
