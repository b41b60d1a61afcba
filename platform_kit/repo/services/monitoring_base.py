"""Names, labels and metadata shared by the monitoring builders (pure)."""

from __future__ import annotations

from typing import Any

from platform_kit.repo.services.secrets import ESO_NAMESPACE

MONITORING_NAMESPACE = "monitoring"
"""Namespace of kube-prometheus-stack and of every object `monitoring_objects` returns."""

RELEASE = "kube-prometheus-stack"
"""Helm release name of kube-prometheus-stack."""

CHART_REPOSITORY = "https://prometheus-community.github.io/helm-charts"
"""Helm repository of kube-prometheus-stack."""

EXTERNAL_SECRETS_NAMESPACE = ESO_NAMESPACE
"""Namespace of External Secrets Operator (its release `external-secrets` labels pods with that name)."""

DASHBOARD_LABEL = "grafana_dashboard"
"""Label (value "1") by which Grafana's sidecar finds dashboard ConfigMaps in every namespace."""

GRAFANA_ADMIN_KEYS = {"userKey": "admin-user", "passwordKey": "admin-password"}
"""Keys of the Grafana admin Secret."""

RETENTION_SIZE_RATIO = 0.85
"""Share of the volume Prometheus may fill before deleting old blocks (time retention alone can fill it)."""

NO_SUBSTITUTION = {"kustomize.toolkit.fluxcd.io/substitute": "disabled"}
"""Keeps Flux variable substitution away from alert templates and dashboard JSON."""

MONITORING_API = "monitoring.coreos.com/v1"
_LABELS = {"app.kubernetes.io/part-of": "platform", "app.kubernetes.io/component": "monitoring", "release": RELEASE}
_MIB = {"Mi": 1, "Gi": 1024, "Ti": 1024 * 1024}


def monitoring_meta(name: str, annotations: dict[str, str] | None = None, **labels: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": MONITORING_NAMESPACE, "labels": {**_LABELS, **labels}}
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta
