"""Pure builders for External Secrets Operator reading AWS Secrets Manager.

Infrastructure values (region, prefix, role ARN) are contract variables, never literals;
the `render` function of each agent's layout decides how they are substituted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from platform_kit.config.metadata import variable
from platform_kit.config.services import SecretsConfig
from platform_kit.repo.services.charts import HelmChart

ESO_NAMESPACE = "external-secrets"
"""Namespace of ESO; Pulumi owns it because cloud identity (and static credentials) land there."""
ESO_SERVICE_ACCOUNT = "external-secrets"
"""Service account of the ESO controller, the one workload identity trusts."""
STORE_NAME = "aws-secrets-manager"
"""The platform's ClusterSecretStore."""
STATIC_CREDENTIALS_SECRET = "aws-secrets-manager-credentials"
"""Kubernetes Secret (created by Pulumi, never committed) with the IAM user's access key."""
GRAFANA_ADMIN_SECRET = "grafana-admin"
"""Name of the Grafana admin secret, both in Secrets Manager (after the prefix) and in-cluster."""
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"

SecretsAuth = Literal["workload-identity", "static"]

ContractRef = Callable[[str], str]
"""Maps a contract field to how the agent's layout references it (Flux: `${PLATFORM_...}`)."""


def eso_chart(config: SecretsConfig, auth: SecretsAuth, irsa: bool, ref: ContractRef = variable) -> HelmChart:
    """external-secrets chart; with IRSA the controller's service account names its role."""
    service_account: dict[str, Any] = {"create": True, "name": ESO_SERVICE_ACCOUNT}
    if auth == "workload-identity" and irsa:
        service_account["annotations"] = {IRSA_ANNOTATION: ref("eso_role_arn")}
    return HelmChart(
        release="external-secrets",
        namespace=ESO_NAMESPACE,
        repo_url="https://charts.external-secrets.io",
        chart="external-secrets",
        version=config.chart_version,
        create_namespace=False,
        values={
            "installCRDs": True,
            "serviceAccount": service_account,
            "serviceMonitor": {"enabled": False},
            "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
        },
    )


def cluster_secret_store(
    auth: SecretsAuth, allowed_namespaces: tuple[str, ...], ref: ContractRef = variable
) -> dict[str, Any]:
    """The ClusterSecretStore for AWS Secrets Manager, usable only from the platform's namespaces.

    Workload identity needs no auth block (the controller's pod credentials are used);
    static credentials come from a Secret Pulumi created in the ESO namespace.
    """
    aws: dict[str, Any] = {"service": "SecretsManager", "region": ref("secrets_region")}
    if auth == "static":
        aws["auth"] = {
            "secretRef": {
                "accessKeyIDSecretRef": {
                    "name": STATIC_CREDENTIALS_SECRET,
                    "namespace": ESO_NAMESPACE,
                    "key": "access-key-id",
                },
                "secretAccessKeySecretRef": {
                    "name": STATIC_CREDENTIALS_SECRET,
                    "namespace": ESO_NAMESPACE,
                    "key": "secret-access-key",
                },
            }
        }
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterSecretStore",
        "metadata": {"name": STORE_NAME},
        "spec": {
            "provider": {"aws": aws},
            "conditions": [{"namespaces": list(allowed_namespaces)}],
        },
    }


def grafana_admin_external_secret(namespace: str, ref: ContractRef = variable) -> dict[str, Any]:
    """ExternalSecret that materialises the Grafana admin credentials Pulumi stored."""
    remote_key = ref("secrets_prefix") + GRAFANA_ADMIN_SECRET
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": GRAFANA_ADMIN_SECRET, "namespace": namespace},
        "spec": {
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": STORE_NAME},
            "target": {"name": GRAFANA_ADMIN_SECRET, "creationPolicy": "Owner"},
            "data": [
                {"secretKey": key, "remoteRef": {"key": remote_key, "property": key}}
                for key in ("admin-user", "admin-password")
            ],
        },
    }
