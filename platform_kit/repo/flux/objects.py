"""Pure builders of the Flux objects platform_kit uses, shared by the seed and the Pulumi layer.

The Pulumi component creates the root sync and the first FluxInstance from these same
functions, so what Pulumi applies on day one is byte-for-byte what Git holds afterwards.
"""

from __future__ import annotations

import hashlib
from typing import Any

from platform_kit import versions
from platform_kit.config.metadata import METADATA_CONFIGMAP
from platform_kit.config.models import FluxConfig, PlatformConfig

ROOT_NAME = "flux-system"
"""Name of the root GitRepository, Kustomization and Git credential Secret."""

PRUNE_DISABLED = {"kustomize.toolkit.fluxcd.io/prune": "disabled"}
"""Keeps Flux from deleting itself when the root Kustomization is torn down."""

RECEIVER_TOKEN_SECRET = "flux-system-webhook"
"""Secret holding the token of the webhook Receiver (owned by Pulumi)."""

RECEIVER_TYPES = {"github": "github", "gitlab": "gitlab", "generic": "generic"}
"""Receiver `type` for each `webhook.provider`."""

RECEIVER_EVENTS = {"github": ["ping", "push"], "gitlab": ["Push Hook", "Tag Push Hook"], "generic": []}
"""Events each Receiver type acts on (generic receivers have none)."""

HELM_CHART_MEDIA_TYPE = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"

KUSTOMIZE_CONTROLLER = "kustomize-controller"
HELM_CONTROLLER = "helm-controller"
"""With `multitenant`, platform objects name these service accounts (the lockdown otherwise impersonates `default`)."""


def _meta(name: str, namespace: str, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def substitute_from_metadata() -> dict[str, Any]:
    """`postBuild` block that feeds the metadata contract into Flux variable substitution."""
    return {"substituteFrom": [{"kind": "ConfigMap", "name": METADATA_CONFIGMAP}]}


def flux_instance(flux: FluxConfig, cluster_type: str = "kubernetes") -> dict[str, Any]:
    """The FluxInstance that tells the Flux Operator which Flux to run."""
    return {
        "apiVersion": "fluxcd.controlplane.io/v1",
        "kind": "FluxInstance",
        "metadata": _meta("flux", flux.namespace, PRUNE_DISABLED),
        "spec": {
            "distribution": {
                "version": flux.version,
                "registry": versions.FLUX_REGISTRY,
                "artifact": versions.FLUX_MANIFESTS_ARTIFACT,
            },
            "components": list(flux.components),
            "cluster": {
                "type": cluster_type,
                "networkPolicy": flux.network_policy,
                "domain": "cluster.local",
                # --no-cross-namespace-refs=true and default service account impersonation
                **({"multitenant": True} if flux.multitenant else {}),
            },
        },
    }


def flux_operator_release(flux: FluxConfig) -> list[dict[str, Any]]:
    """OCIRepository + HelmRelease through which Flux upgrades its own operator after bootstrap."""
    source = {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "OCIRepository",
        "metadata": _meta("flux-operator", flux.namespace, PRUNE_DISABLED),
        "spec": {
            "interval": "1h",
            "url": versions.FLUX_OPERATOR_CHART,
            "ref": {"semver": flux.operator_chart_version},
            "layerSelector": {"mediaType": HELM_CHART_MEDIA_TYPE, "operation": "copy"},
        },
    }
    release = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": _meta("flux-operator", flux.namespace, PRUNE_DISABLED),
        "spec": {
            "interval": "1h",
            "releaseName": "flux-operator",
            "chartRef": {"kind": "OCIRepository", "name": "flux-operator"},
            "install": {"crds": "Create"},
            "upgrade": {"crds": "CreateReplace"},
            **({"serviceAccountName": HELM_CONTROLLER} if flux.multitenant else {}),
        },
    }
    return [source, release]


def flux_kustomization(
    flux: FluxConfig,
    name: str,
    path: str,
    depends_on: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A Flux Kustomization applying `path` of the root source, with metadata substitution."""
    spec: dict[str, Any] = {
        "interval": flux.reconcile_interval,
        "retryInterval": "1m",
        "timeout": "5m",
        "path": f"./{path}",
        "prune": True,
        "wait": True,
        "sourceRef": {"kind": "GitRepository", "name": ROOT_NAME},
        "postBuild": substitute_from_metadata(),
    }
    if depends_on:
        spec["dependsOn"] = [{"name": dependency} for dependency in depends_on]
    if flux.multitenant:
        spec["serviceAccountName"] = KUSTOMIZE_CONTROLLER
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": _meta(name, flux.namespace),
        "spec": spec,
    }


def root_git_repository(config: PlatformConfig, flux: FluxConfig) -> dict[str, Any]:
    """The GitRepository of the config repo (owned by Pulumi; carries the credential reference)."""
    spec: dict[str, Any] = {
        "interval": flux.sync_interval,
        "url": config.repo.cluster_url,
        "ref": {"branch": config.repo.branch},
    }
    if config.repo.credentials.kind != "none":
        spec["secretRef"] = {"name": ROOT_NAME}
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": _meta(ROOT_NAME, flux.namespace),
        "spec": spec,
    }


def root_kustomization(config: PlatformConfig, flux: FluxConfig) -> dict[str, Any]:
    """The root Kustomization for `clusters/<env>` (owned by Pulumi; prunes on delete)."""
    body = flux_kustomization(flux, ROOT_NAME, config.environment_path)
    body["spec"]["wait"] = False
    body["spec"]["deletionPolicy"] = "Delete"
    return body


def webhook_receiver(flux: FluxConfig) -> dict[str, Any]:
    """The notification-controller Receiver that makes a Git push reconcile the root GitRepository now."""
    spec: dict[str, Any] = {
        "type": RECEIVER_TYPES[flux.webhook.provider],
        "secretRef": {"name": RECEIVER_TOKEN_SECRET},
        "resources": [{"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "name": ROOT_NAME}],
    }
    events = RECEIVER_EVENTS[flux.webhook.provider]
    if events:
        spec["events"] = list(events)
    return {
        "apiVersion": "notification.toolkit.fluxcd.io/v1",
        "kind": "Receiver",
        "metadata": _meta(ROOT_NAME, flux.namespace),
        "spec": spec,
    }


def receiver_webhook_path(token: str, name: str, namespace: str) -> str:
    """The path notification-controller serves a Receiver on: `/hook/` + sha256(token + name + namespace)."""
    return "/hook/" + hashlib.sha256((token + name + namespace).encode()).hexdigest()
