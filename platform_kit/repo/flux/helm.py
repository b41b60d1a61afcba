"""Flux objects that install a HelmChart: a HelmRepository and a HelmRelease (pure)."""

from __future__ import annotations

from typing import Any

from platform_kit.config.models import FluxConfig
from platform_kit.repo.services.charts import HelmChart


def flux_helm_objects(chart: HelmChart, flux: FluxConfig) -> list[dict[str, Any]]:
    """HelmRepository + HelmRelease (in the Flux namespace) installing `chart` into its namespace."""
    repository = {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "HelmRepository",
        "metadata": {"name": chart.release, "namespace": flux.namespace},
        "spec": {"interval": "1h", "url": chart.repo_url, **({"type": "oci"} if chart.oci else {})},
    }
    release = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": chart.release, "namespace": flux.namespace},
        "spec": {
            "interval": "30m",
            "releaseName": chart.release,
            "targetNamespace": chart.namespace,
            "storageNamespace": chart.namespace,
            "chart": {
                "spec": {
                    "chart": chart.chart,
                    "version": chart.version,
                    "sourceRef": {"kind": "HelmRepository", "name": chart.release},
                }
            },
            "install": {"createNamespace": chart.create_namespace, "crds": "Create", "remediation": {"retries": 3}},
            "upgrade": {"crds": "CreateReplace", "remediation": {"retries": 3, "remediateLastFailure": True}},
            "driftDetection": {"mode": "enabled"},
            "values": chart.values,
            **({"serviceAccountName": "helm-controller"} if flux.multitenant else {}),
        },
    }
    return [repository, release]
