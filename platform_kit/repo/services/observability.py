"""kube-prometheus-stack and the monitoring of the GitOps agent itself (pure builders).

`prometheus_stack_chart` describes the chart; `monitoring_objects` the in-cluster objects
that make the agent observable: scrape configs (PodMonitor / ServiceMonitor), alerts
(PrometheusRule) and Grafana dashboards (ConfigMaps picked up by Grafana's sidecar).

Label conventions of the metrics used here (Prometheus Operator defaults, no honorLabels):
a metric's own `namespace` label is renamed `exported_namespace` because the scrape adds
the pod's `namespace`; so `namespace` below is where the controller runs and
`exported_namespace` is the namespace of the reconciled object. The Flux Operator names
its label `exported_namespace` itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from platform_kit.config.services import ObservabilityConfig
from platform_kit.repo.services.alerts import external_secrets_rules
from platform_kit.repo.services.charts import HelmChart
from platform_kit.repo.services.dashboards import external_secrets_dashboard
from platform_kit.repo.services.monitoring_base import (
    _MIB,
    CHART_REPOSITORY,
    DASHBOARD_LABEL,
    EXTERNAL_SECRETS_NAMESPACE,
    GRAFANA_ADMIN_KEYS,
    MONITORING_API,
    MONITORING_NAMESPACE,
    NO_SUBSTITUTION,
    RELEASE,
    RETENTION_SIZE_RATIO,
    monitoring_meta,
)

__all__ = [
    "CONTROL_PLANE_COMPONENTS",
    "CONTROL_PLANE_RULE_GROUPS",
    "DASHBOARD_LABEL",
    "MONITORING_NAMESPACE",
    "NO_SUBSTITUTION",
    "RELEASE",
    "control_plane_values",
    "external_secrets_dashboard",
    "external_secrets_rules",
    "monitoring_objects",
    "pod_monitor",
    "prometheus_stack_chart",
    "retention_size",
]


def _requests(cpu: str, memory: str) -> dict[str, Any]:
    return {"requests": {"cpu": cpu, "memory": memory}}


def retention_size(storage_size: str) -> str:
    """Prometheus `retentionSize` for a volume of `storage_size` (`50Gi` -> `43520MB`; Prometheus MB are MiB)."""
    number, unit = storage_size[:-2], storage_size[-2:]
    return f"{int(int(number) * _MIB[unit] * RETENTION_SIZE_RATIO)}MB"


CONTROL_PLANE_COMPONENTS = ("kubeControllerManager", "kubeScheduler", "kubeEtcd")
"""kube-prometheus-stack's control-plane exporters: a Service in kube-system plus a ServiceMonitor each."""

CONTROL_PLANE_RULE_GROUPS = ("kubeControllerManager", "kubeSchedulerAlerting", "kubeSchedulerRecording", "etcd")
"""`defaultRules.rules` keys of the rule groups about those components (their *Down alerts fire without targets)."""

NODE_COMPONENTS = ("coreDns", "kubeProxy")
"""Exporters for components that run as Pods on the nodes: always scraped, Services in kube-system."""

SYSTEM_NAMESPACE = "kube-system"
"""Where kube-prometheus-stack puts the exporter Services (next to the components they select)."""


def control_plane_values(scrape: bool) -> dict[str, Any]:
    """Values turning the control-plane exporters and their default rules off, unless `scrape`.

    Managed control planes (EKS) do not expose kube-controller-manager, kube-scheduler
    or etcd, and kind binds them to 127.0.0.1: their targets would never be up and the
    default `KubeControllerManagerDown`/`KubeSchedulerDown`/etcd alerts would fire forever.
    """
    if scrape:
        return {}
    values: dict[str, Any] = {component: {"enabled": False} for component in CONTROL_PLANE_COMPONENTS}
    values["defaultRules"] = {"rules": dict.fromkeys(CONTROL_PLANE_RULE_GROUPS, False)}
    return values


def prometheus_stack_chart(config: ObservabilityConfig, grafana_admin_secret: str | None) -> HelmChart:
    """kube-prometheus-stack: Prometheus, Alertmanager, Grafana, node-exporter, kube-state-metrics.

    Grafana's admin comes from the existing Secret `grafana_admin_secret` (keys
    `admin-user`, `admin-password`) when given. Without it the chart generates a random
    password into Secret `kube-prometheus-stack-grafana` (kept across upgrades through
    Helm `lookup`, which `helm template` renderers such as Argo CD lack: give them a Secret).
    """
    claim: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": config.storage_size}},
    }
    if config.storage_class is not None:
        claim["storageClassName"] = config.storage_class
    prometheus_spec = {
        "replicas": config.replicas,
        "retention": config.retention,
        "retentionSize": retention_size(config.storage_size),
        # Select rules and monitors from every namespace, not only those labelled for this release.
        "ruleSelectorNilUsesHelmValues": False,
        "serviceMonitorSelectorNilUsesHelmValues": False,
        "podMonitorSelectorNilUsesHelmValues": False,
        "probeSelectorNilUsesHelmValues": False,
        "scrapeConfigSelectorNilUsesHelmValues": False,
        "resources": _requests("250m", "1Gi"),
        "storageSpec": {"volumeClaimTemplate": {"spec": claim}},
    }
    grafana: dict[str, Any] = {
        "enabled": True,
        # Never the chart's well-known default; unused when admin.existingSecret is set.
        "adminPassword": "",
        "defaultDashboardsTimezone": "utc",
        "sidecar": {
            "dashboards": {"enabled": True, "label": DASHBOARD_LABEL, "labelValue": "1", "searchNamespace": "ALL"}
        },
        "resources": _requests("100m", "256Mi"),
        # The chart's `helm test` Pod (a `helm.sh/hook: test` hook running bats as root, no seccomp profile):
        # Argo CD never runs test hooks and the Flux HelmReleases do not enable `spec.test`, so it would never
        # run; leaving it out keeps an unused image, ServiceAccount and ConfigMap out of the rendered objects.
        "testFramework": {"enabled": False},
    }
    if grafana_admin_secret is not None:
        grafana["admin"] = {"existingSecret": grafana_admin_secret, **GRAFANA_ADMIN_KEYS}
    values = {
        "prometheus": {"prometheusSpec": prometheus_spec},
        "alertmanager": {"enabled": True, "alertmanagerSpec": {"resources": _requests("50m", "64Mi")}},
        "grafana": grafana,
        "prometheusOperator": {"resources": _requests("100m", "128Mi")},
        "kube-state-metrics": {"resources": _requests("50m", "128Mi")},
        "prometheus-node-exporter": {
            "resources": _requests("20m", "32Mi"),
            # Host access is excepted in the Kyverno policy (see policy.py); everything else is hardened here.
            "securityContext": {
                "fsGroup": 65534,
                "runAsGroup": 65534,
                "runAsNonRoot": True,
                "runAsUser": 65534,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containerSecurityContext": {
                "readOnlyRootFilesystem": True,
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
            },
        },
    }
    values |= control_plane_values(config.scrape_control_plane)
    return HelmChart(
        release=RELEASE,
        namespace=MONITORING_NAMESPACE,
        repo_url=CHART_REPOSITORY,
        chart="kube-prometheus-stack",
        version=config.chart_version,
        values=values,
        create_namespace=False,
        # The coreDns and kubeProxy exporter Services (and the control plane's, when scraped).
        other_namespaces=(SYSTEM_NAMESPACE,),
    )


def monitoring_objects(agent_objects: Sequence[dict[str, Any]], secrets_enabled: bool) -> list[dict[str, Any]]:
    """The agent's scrape configs, alerts and dashboard (from its package) plus ESO's, sorted by kind and name.

    Everything lives in the monitoring namespace (monitors select their targets' namespace
    explicitly) and uses kube-prometheus-stack's CRDs, so it is applied after the chart.
    """
    objects = list(agent_objects)
    if secrets_enabled:
        objects += [external_secrets_monitor(), external_secrets_rules(), external_secrets_dashboard()]
    return sorted(objects, key=lambda obj: (obj["kind"], obj["metadata"]["name"]))


# ----------------------------------------------------------------- scrape configs


def pod_monitor(name: str, namespace: str, match_labels: dict[str, str], port: str) -> dict[str, Any]:
    """A PodMonitor in the monitoring namespace scraping `port` of the pods matching `match_labels` in `namespace`."""
    return {
        "apiVersion": MONITORING_API,
        "kind": "PodMonitor",
        "metadata": monitoring_meta(name),
        "spec": {
            "namespaceSelector": {"matchNames": [namespace]},
            "selector": {"matchLabels": dict(match_labels)},
            "podMetricsEndpoints": [{"port": port, "path": "/metrics"}],
        },
    }


def external_secrets_monitor() -> dict[str, Any]:
    """PodMonitor for the ESO controller pods (a pod port, so the chart's optional metrics Service is not needed)."""
    return pod_monitor(
        "external-secrets", EXTERNAL_SECRETS_NAMESPACE, {"app.kubernetes.io/name": "external-secrets"}, "metrics"
    )
