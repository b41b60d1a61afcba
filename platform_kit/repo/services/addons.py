"""The optional add-ons in the config repo (pure): charts and cert-manager's ClusterIssuers.

Every chart runs in its own namespace (so Pod Security `restricted` applies to it) as the
service account its IAM role trusts (`config.addons.ADDON_ACCOUNTS`); under IRSA the
account names the role from the metadata contract, under Pod Identity Pulumi's
association does. Region, VPC and cluster name come from the contract too; hosted zones
and domains are the environment's config.
"""

from __future__ import annotations

from typing import Any

from platform_kit.config.addons import (
    ADDON_ACCOUNTS,
    AddonsConfig,
    CertManagerConfig,
    ExternalDnsConfig,
    LoadBalancerControllerConfig,
    MetricsServerConfig,
)
from platform_kit.config.metadata import variable
from platform_kit.repo.services.charts import HelmChart
from platform_kit.repo.services.secrets import IRSA_ANNOTATION, ContractRef

ACME_SERVERS = {
    "staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
    "production": "https://acme-v02.api.letsencrypt.org/directory",
}
"""Let's Encrypt ACME directories."""

RESTRICTED_CONTAINER = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "seccompProfile": {"type": "RuntimeDefault"},
}
"""A container security context that meets Pod Security `restricted`."""

CLUSTER_KINDS = {
    "load_balancer_controller": (("networking.k8s.io", "IngressClass"), ("elbv2.k8s.aws", "IngressClassParams")),
    "cert_manager": (("cert-manager.io", "ClusterIssuer"),),
    "metrics_server": (("apiregistration.k8s.io", "APIService"),),
}
"""Cluster-scoped kinds each add-on brings besides CRDs, RBAC and webhooks (the Argo CD project permits them)."""


def _service_account(addon: str, irsa: bool, ref: ContractRef) -> dict[str, Any]:
    account: dict[str, Any] = {"create": True, "name": ADDON_ACCOUNTS[addon][1]}
    if irsa and addon != "metrics_server":
        account["annotations"] = {IRSA_ANNOTATION: ref(f"{addon}_role_arn")}
    return account


def load_balancer_controller_chart(
    config: LoadBalancerControllerConfig, irsa: bool, ref: ContractRef = variable
) -> HelmChart:
    """The AWS Load Balancer Controller; region and VPC from the contract (pods cannot reach IMDS at hop 1)."""
    return HelmChart(
        release="aws-load-balancer-controller",
        namespace=ADDON_ACCOUNTS["load_balancer_controller"][0],
        repo_url="https://aws.github.io/eks-charts",
        chart="aws-load-balancer-controller",
        version=config.chart_version,
        values={
            "clusterName": ref("cluster_name"),
            "region": ref("region"),
            "vpcId": ref("vpc_id"),
            "replicaCount": 2,
            "serviceAccount": _service_account("load_balancer_controller", irsa, ref),
            "securityContext": RESTRICTED_CONTAINER,
            "podSecurityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        },
    )


def external_dns_chart(config: ExternalDnsConfig, irsa: bool, ref: ContractRef = variable) -> HelmChart:
    """external-dns on Route 53, filtered to the configured zones and domains; records owned by this cluster."""
    return HelmChart(
        release="external-dns",
        namespace=ADDON_ACCOUNTS["external_dns"][0],
        repo_url="https://kubernetes-sigs.github.io/external-dns/",
        chart="external-dns",
        version=config.chart_version,
        values={
            "provider": {"name": "aws"},
            "env": [{"name": "AWS_DEFAULT_REGION", "value": ref("region")}],
            "sources": ["service", "ingress"],
            "policy": config.policy,
            "registry": "txt",
            "txtOwnerId": ref("cluster_name"),
            "domainFilters": [zone.domain for zone in config.zones],
            "extraArgs": [f"--zone-id-filter={zone.id}" for zone in config.zones],
            "serviceAccount": _service_account("external_dns", irsa, ref),
        },
    )


def cert_manager_chart(config: CertManagerConfig, irsa: bool, ref: ContractRef = variable) -> HelmChart:
    """cert-manager with its CRDs; leader election in its own namespace (nothing in kube-system)."""
    return HelmChart(
        release="cert-manager",
        namespace=ADDON_ACCOUNTS["cert_manager"][0],
        repo_url="https://charts.jetstack.io",
        chart="cert-manager",
        version=config.chart_version,
        values={
            "crds": {"enabled": True, "keep": True},
            "global": {"leaderElection": {"namespace": ADDON_ACCOUNTS["cert_manager"][0]}},
            "serviceAccount": _service_account("cert_manager", irsa, ref),
            "startupapicheck": {"enabled": False},
        },
    )


def metrics_server_chart(config: MetricsServerConfig) -> HelmChart:
    """metrics-server (the resource metrics API)."""
    return HelmChart(
        release="metrics-server",
        namespace=ADDON_ACCOUNTS["metrics_server"][0],
        repo_url="https://kubernetes-sigs.github.io/metrics-server/",
        chart="metrics-server",
        version=config.chart_version,
        values={"serviceAccount": {"create": True, "name": ADDON_ACCOUNTS["metrics_server"][1]}},
        other_namespaces=("kube-system",),  # the RoleBinding to extension-apiserver-authentication-reader
    )


def cluster_issuer(config: CertManagerConfig, issuer: str, ref: ContractRef = variable) -> dict[str, Any]:
    """A Let's Encrypt ClusterIssuer solving DNS-01 in Route 53, one solver per configured zone."""
    name = f"letsencrypt-{issuer}"
    solvers = [
        {
            "selector": {"dnsZones": [zone.domain]},
            "dns01": {"route53": {"region": ref("region"), "hostedZoneID": zone.id}},
        }
        for zone in config.zones
    ]
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": "ClusterIssuer",
        "metadata": {"name": name},
        "spec": {
            "acme": {
                "email": config.email,
                "server": ACME_SERVERS[issuer],
                "privateKeySecretRef": {"name": f"{name}-account-key"},
                "solvers": solvers,
            }
        },
    }


def addon_charts(config: AddonsConfig, irsa: bool) -> list[HelmChart]:
    """The enabled add-ons' charts (the `controllers` stage)."""
    charts = []
    if config.load_balancer_controller.enabled:
        charts.append(load_balancer_controller_chart(config.load_balancer_controller, irsa))
    if config.external_dns.enabled:
        charts.append(external_dns_chart(config.external_dns, irsa))
    if config.cert_manager.enabled:
        charts.append(cert_manager_chart(config.cert_manager, irsa))
    if config.metrics_server.enabled:
        charts.append(metrics_server_chart(config.metrics_server))
    return charts


def addon_objects(config: AddonsConfig) -> list[dict[str, Any]]:
    """Objects that need the add-ons' CRDs (the `configs` stage): cert-manager's ClusterIssuers."""
    if not config.cert_manager.enabled:
        return []
    return [cluster_issuer(config.cert_manager, issuer) for issuer in config.cert_manager.issuers]


def addon_cluster_kinds(config: AddonsConfig) -> tuple[tuple[str, str], ...]:
    """Cluster-scoped kinds the enabled add-ons bring (for the Argo CD project)."""
    return tuple(kind for name, kinds in CLUSTER_KINDS.items() if getattr(config, name).enabled for kind in kinds)
