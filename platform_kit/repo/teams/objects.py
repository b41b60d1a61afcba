"""A team's in-cluster guardrails, the same for every agent (pure).

Per team namespace: the Namespace (team label, Pod Security `restricted`), a ResourceQuota
and LimitRange from the team's size class, a default-deny ingress NetworkPolicy with
three allow rules (same namespace, ingress controllers, monitoring), the owners'
RoleBinding to `edit`, and the team's secret store. Per team: a ValidatingAdmissionPolicy
keeping SecretStores (and, with Flux, unimpersonated Flux objects) out of the team's hands.
Values from the infrastructure are `${PLATFORM_*}` placeholders, never literals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from platform_kit.config.metadata import team_variable, variable
from platform_kit.config.services import SecretsMode
from platform_kit.config.teams import TeamConfig

TEAM_LABEL = "platform-kit.io/team"
"""Label naming the owning team on every team object (and the namespace selector of its policies)."""
INGRESS_LABEL = "platform-kit.io/ingress"
"""Namespace label (`"true"`) marking ingress-controller namespaces allowed to reach team pods."""
MONITORING_NAMESPACE = "monitoring"
"""Namespace of Prometheus, allowed to scrape team pods (kube-prometheus-stack)."""
OWNER_ROLE = "edit"
"""Built-in ClusterRole the owner groups (and the team's GitOps identity) get in each team namespace."""
OWNERS_BINDING = "team-owners"
"""RoleBinding of the owner groups in each team namespace."""
TEAM_STORE = "team-secrets"
"""SecretStore in each team namespace (EKS); also the IRSA service account ESO authenticates as."""
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
STATIC_CREDENTIALS = "team-{team}-aws-credentials"
"""Secret in the ESO namespace holding a team's IAM user key (non-EKS clusters; created by Pulumi)."""
ESO_NAMESPACE = "external-secrets"


def labels(team: TeamConfig) -> dict[str, str]:
    """Labels of every object the platform creates for `team`."""
    return {TEAM_LABEL: team.name, "app.kubernetes.io/managed-by": "platform-kit"}


KEEP_NAMESPACE = {
    "kustomize.toolkit.fluxcd.io/prune": "disabled",
    "argocd.argoproj.io/sync-options": "Delete=false,Prune=false",
}
"""Namespaces outlive their entry: removing a team (or a bad merge) never deletes its workloads and volumes."""


def namespaces(team: TeamConfig) -> list[dict[str, Any]]:
    """The team's namespaces, labelled with the team and Pod Security `restricted`, never pruned by the agent."""
    pod_security = {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
    }
    return [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": labels(team) | pod_security, "annotations": dict(KEEP_NAMESPACE)},
        }
        for name in team.all_namespaces
    ]


def quotas(team: TeamConfig) -> list[dict[str, Any]]:
    """ResourceQuota and LimitRange of each namespace, from the team's size class."""
    size = team.quota
    objects: list[dict[str, Any]] = []
    for namespace in team.all_namespaces:
        meta = {"namespace": namespace, "labels": labels(team)}
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "ResourceQuota",
                "metadata": {"name": "team-quota", **meta},
                "spec": {
                    "hard": {
                        "requests.cpu": size.requests_cpu,
                        "requests.memory": size.requests_memory,
                        "limits.cpu": size.limits_cpu,
                        "limits.memory": size.limits_memory,
                        "pods": str(size.pods),
                        "persistentvolumeclaims": str(size.persistent_volume_claims),
                        "requests.storage": size.requests_storage,
                    }
                },
            }
        )
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "LimitRange",
                "metadata": {"name": "team-limits", **meta},
                "spec": {
                    "limits": [
                        {
                            "type": "Container",
                            "default": {"cpu": size.container_default_cpu, "memory": size.container_default_memory},
                            "defaultRequest": {
                                "cpu": size.container_request_cpu,
                                "memory": size.container_request_memory,
                            },
                            "max": {"cpu": size.container_max_cpu, "memory": size.container_max_memory},
                        }
                    ]
                },
            }
        )
    return objects


def network_policies(team: TeamConfig) -> list[dict[str, Any]]:
    """Per namespace: deny all ingress, then allow the same namespace, ingress controllers and monitoring."""
    rules = {
        "allow-same-namespace": {"podSelector": {}},
        "allow-from-ingress": {"namespaceSelector": {"matchLabels": {INGRESS_LABEL: "true"}}},
        "allow-from-monitoring": {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": MONITORING_NAMESPACE}}
        },
    }
    objects: list[dict[str, Any]] = []
    for namespace in team.all_namespaces:
        meta = {"namespace": namespace, "labels": labels(team)}
        objects.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": "default-deny-ingress", **meta},
                "spec": {"podSelector": {}, "policyTypes": ["Ingress"]},
            }
        )
        objects += [
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": name, **meta},
                "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [peer]}]},
            }
            for name, peer in rules.items()
        ]
    return objects


def role_binding(team: TeamConfig, namespace: str, name: str, subjects: list[dict[str, str]]) -> dict[str, Any]:
    """A RoleBinding of the `edit` ClusterRole in `namespace` (namespaced: no cluster-wide rights)."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": namespace, "labels": labels(team)},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": OWNER_ROLE},
        "subjects": subjects,
    }


def owner_bindings(team: TeamConfig) -> list[dict[str, Any]]:
    """The owner groups' `edit` RoleBinding in each team namespace."""
    groups = [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group} for group in team.owners]
    return [role_binding(team, namespace, OWNERS_BINDING, groups) for namespace in team.all_namespaces]


def secrets_prefix(team: TeamConfig, spoke: bool = False) -> str:
    """The team's secrets prefix from the contract: `<env>/teams/<team>/` (`<env>/<cluster>/teams/...` on a spoke)."""
    scope = f"{variable('environment')}/{variable('cluster_name')}" if spoke else variable("environment")
    return f"{scope}/teams/{team.name}/"


def secret_stores(team: TeamConfig, mode: SecretsMode, spoke: bool = False) -> list[dict[str, Any]]:
    """The team's store(s) for AWS Secrets Manager, reading only the team's prefix.

    EKS: a SecretStore `team-secrets` in every team namespace, acting as the team's IAM role
    (IRSA: through the namespace's `team-secrets` service account; Pod Identity: assumed from
    ESO's own identity). Other clusters: the platform's static-key pattern, a ClusterSecretStore
    `team-<team>` usable only from the team's namespaces, with the key Pulumi keeps in the ESO namespace.
    """
    aws: dict[str, Any] = {
        "service": "SecretsManager",
        "region": variable("secrets_region"),
        "prefix": secrets_prefix(team, spoke),
    }
    if mode == "static":
        secret = STATIC_CREDENTIALS.format(team=team.name)
        aws["auth"] = {
            "secretRef": {
                "accessKeyIDSecretRef": {"name": secret, "namespace": ESO_NAMESPACE, "key": "access-key-id"},
                "secretAccessKeySecretRef": {"name": secret, "namespace": ESO_NAMESPACE, "key": "secret-access-key"},
            }
        }
        return [
            {
                "apiVersion": "external-secrets.io/v1",
                "kind": "ClusterSecretStore",
                "metadata": {"name": f"team-{team.name}", "labels": labels(team)},
                "spec": {"provider": {"aws": aws}, "conditions": [{"namespaces": list(team.all_namespaces)}]},
            }
        ]
    objects: list[dict[str, Any]] = []
    for namespace in team.all_namespaces:
        store_aws = dict(aws)
        if mode == "irsa":
            store_aws["auth"] = {"jwt": {"serviceAccountRef": {"name": TEAM_STORE}}}
            objects.append(
                {
                    "apiVersion": "v1",
                    "kind": "ServiceAccount",
                    "metadata": {
                        "name": TEAM_STORE,
                        "namespace": namespace,
                        "labels": labels(team),
                        "annotations": {IRSA_ANNOTATION: team_variable(team.name)},
                    },
                    "automountServiceAccountToken": False,
                }
            )
        else:
            store_aws["role"] = team_variable(team.name)
        objects.append(
            {
                "apiVersion": "external-secrets.io/v1",
                "kind": "SecretStore",
                "metadata": {"name": TEAM_STORE, "namespace": namespace, "labels": labels(team)},
                "spec": {"provider": {"aws": store_aws}},
            }
        )
    return objects


def guardrails(
    team: TeamConfig,
    agent_user: str,
    agent_rules: Sequence[dict[str, Any]] = (),
    agent_validations: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """A ValidatingAdmissionPolicy (and binding) for the team's namespaces.

    Only the platform's agent (`agent_user`) may create or change SecretStores there, so a team
    cannot point a store at another team's role or at ESO's own identity. The agent's layout adds
    its own rules and validations (Flux: the per-team equivalent of Flux's lockdown).
    """
    rules = [admission_rule("external-secrets.io", "secretstores"), *agent_rules]
    validations = [
        {
            "expression": f"request.resource.resource != 'secretstores' || request.userInfo.username == '{agent_user}'",
            "message": "SecretStores in team namespaces are managed by the platform (clusters/<env>/teams/)",
        },
        *agent_validations,
    ]
    name = f"team-{team.name}-guardrails"
    policy = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name, "labels": labels(team)},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": rules},
            "validations": validations,
        },
    }
    binding = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": name, "labels": labels(team)},
        "spec": {
            "policyName": name,
            "validationActions": ["Deny"],
            "matchResources": {"namespaceSelector": {"matchLabels": {TEAM_LABEL: team.name}}},
        },
    }
    return [policy, binding]


def admission_rule(group: str, resource: str) -> dict[str, Any]:
    """A policy match rule: CREATE and UPDATE of `resource` in API group `group`, any version."""
    return {"apiGroups": [group], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE"], "resources": [resource]}
