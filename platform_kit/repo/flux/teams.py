"""Flux objects for teams (pure).

`clusters/<env>/teams.yaml` holds one Kustomization, `teams`, applying
`clusters/<env>/teams/` - a directory without a kustomization.yaml, so Flux generates one
listing every team directory it finds. Adding a team therefore adds a directory and
changes no existing file.

Each team's directory defines a tenant Kustomization `team-<team>` (in the Flux namespace,
next to the root GitRepository, so no cross-namespace reference is needed) that applies
`teams/<team>/<env>` while impersonating the service account `team-<team>`, which holds
only `edit` in the team's namespaces. Every team namespace also gets `flux-reconciler`
(`edit` there) for Flux objects the team adds itself, e.g. for its own repositories.
"""

from __future__ import annotations

from typing import Any

from platform_kit.config.models import FluxConfig, PlatformConfig
from platform_kit.config.services import NotificationsConfig
from platform_kit.config.teams import TeamConfig
from platform_kit.repo.flux.notifications import NOTIFICATIONS_SECRET
from platform_kit.repo.flux.objects import ROOT_NAME, flux_kustomization
from platform_kit.repo.teams.objects import admission_rule, labels, role_binding

TEAMS_KUSTOMIZATION = "teams"
"""Flux Kustomization applying every team directory of the environment."""
TEAM_RECONCILER = "flux-reconciler"
"""Service account (with `edit`) in every team namespace, for the team's own Flux objects."""


GUARDRAIL_RULES = (
    admission_rule("kustomize.toolkit.fluxcd.io", "kustomizations"),
    admission_rule("helm.toolkit.fluxcd.io", "helmreleases"),
)
"""Flux kinds the team guardrails police: a team's own Kustomizations and HelmReleases."""

GUARDRAIL_VALIDATIONS = (
    {
        "expression": "request.resource.resource == 'secretstores' || has(object.spec.serviceAccountName)",
        "message": "Flux objects in team namespaces must set spec.serviceAccountName (e.g. flux-reconciler)",
    },
    {
        "expression": "request.resource.resource != 'kustomizations' || !has(object.spec.sourceRef.namespace)"
        " || object.spec.sourceRef.namespace == object.metadata.namespace",
        "message": "Kustomizations in team namespaces may only use sources of their own namespace",
    },
)
"""A team's Flux objects must impersonate a service account and use only their own namespace's sources."""


def tenant_name(team: TeamConfig) -> str:
    """Name of the team's tenant Kustomization and of the service account it impersonates."""
    return f"team-{team.name}"


def agent_user(flux: FluxConfig) -> str:
    """The identity the platform's own Kustomizations apply as."""
    return f"system:serviceaccount:{flux.namespace}:kustomize-controller"


def teams_kustomization(config: PlatformConfig, flux: FluxConfig, teams_dir: str) -> dict[str, Any]:
    """The `teams` Kustomization: every team directory, after the infrastructure configs (ESO's CRDs)."""
    body = flux_kustomization(flux, TEAMS_KUSTOMIZATION, teams_dir, depends_on=("infra-configs",))
    body["spec"]["wait"] = False  # one team's unready store must not hold back the others
    return body


def tenant_objects(config: PlatformConfig, flux: FluxConfig, team: TeamConfig) -> list[dict[str, Any]]:
    """Service accounts, their RoleBindings and the impersonating tenant Kustomization."""
    name = tenant_name(team)
    tenant_account = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": name, "namespace": flux.namespace, "labels": labels(team)},
    }
    objects: list[dict[str, Any]] = [tenant_account]
    for namespace in team.all_namespaces:
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {"name": TEAM_RECONCILER, "namespace": namespace, "labels": labels(team)},
            }
        )
        subjects = [
            {"kind": "ServiceAccount", "name": name, "namespace": flux.namespace},
            {"kind": "ServiceAccount", "name": TEAM_RECONCILER, "namespace": namespace},
        ]
        objects.append(role_binding(team, namespace, "team-gitops", subjects))
    tenant = flux_kustomization(flux, name, f"teams/{team.name}/{config.environment}")
    spec = tenant["spec"]
    spec.pop("postBuild")  # the team's manifests get no platform variables
    spec["serviceAccountName"] = name
    spec["targetNamespace"] = team.home_namespace
    spec["sourceRef"] = {"kind": "GitRepository", "name": ROOT_NAME}
    tenant["metadata"]["labels"] = labels(team)
    objects.append(tenant)
    return objects


def notification_objects(
    flux: FluxConfig, team: TeamConfig, notifications: NotificationsConfig | None
) -> list[dict[str, Any]]:
    """A Provider for the team's channel (the platform's webhook Secret) and an Alert on its tenant."""
    if notifications is None or team.channel is None:
        return []
    name = tenant_name(team)
    provider = {
        "apiVersion": "notification.toolkit.fluxcd.io/v1beta3",
        "kind": "Provider",
        "metadata": {"name": name, "namespace": flux.namespace, "labels": labels(team)},
        "spec": {"type": notifications.kind, "channel": team.channel, "secretRef": {"name": NOTIFICATIONS_SECRET}},
    }
    alert = {
        "apiVersion": "notification.toolkit.fluxcd.io/v1beta3",
        "kind": "Alert",
        "metadata": {"name": name, "namespace": flux.namespace, "labels": labels(team)},
        "spec": {
            "providerRef": {"name": name},
            "eventSeverity": "error",
            "eventSources": [{"kind": "Kustomization", "name": name}],
            "eventMetadata": {"summary": f"team {team.name} on ${{PLATFORM_CLUSTER_NAME}} (${{PLATFORM_ENVIRONMENT}})"},
        },
    }
    return [provider, alert]
