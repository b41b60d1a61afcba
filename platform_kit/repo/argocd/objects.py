"""Pure builders of the Argo CD objects platform_kit uses, shared by the seed and the Pulumi layer.

The Pulumi component installs the chart with `chart_values` and the seed's self-managing
Application carries the very same values, so what Pulumi applies on day one is what
Git holds afterwards. Nothing here is a secret: the webhook and OIDC client secrets go
into `argocd-secret`, which Pulumi owns and the chart is told not to render.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import yaml

from platform_kit.config.gitops import ArgoCdConfig, ContainerResources
from platform_kit.config.metadata import variable
from platform_kit.config.models import PlatformConfig, SshCredentials
from platform_kit.repo.argocd.health import APPLICATION_HEALTH_LUA
from platform_kit.repo.argocd.notifications import notifications_values
from platform_kit.repo.services.layout import controller_charts, observability_charts

API_VERSION = "argoproj.io/v1alpha1"
IN_CLUSTER = "https://kubernetes.default.svc"
"""Argo CD's address of the cluster it runs in."""
RELEASE_NAME = "argocd"
"""Helm release name; with the chart's `nameOverride: argocd`, objects are named `argocd-*`."""
SELF_APP = "argocd"
"""The Application through which Argo CD manages its own chart."""
ROOT_NAME = "root"
"""The root Application (app of apps) for `clusters/<env>`, owned by Pulumi."""
PLATFORM_PROJECT = "platform"
"""AppProject of the root, Argo CD itself and the infrastructure layers, owned by Pulumi."""
ARGOCD_SECRET = "argocd-secret"
"""Argo CD's settings Secret (webhook secrets, OIDC client secret), owned by Pulumi."""
REPO_SECRET = "platform-config-repo"
"""Repository credentials Secret of the config repo."""
CLUSTER_SECRET = "platform-cluster"
"""Declarative cluster Secret of the in-cluster destination, carrying the metadata contract."""
FINALIZER = "resources-finalizer.argocd.argoproj.io"
"""Deleting an Application with this finalizer waits until Argo CD has deleted what it applied."""
SECRET_TYPE = "argocd.argoproj.io/secret-type"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
KEEP_ON_DELETE = {"argocd.argoproj.io/sync-options": "Delete=false,Prune=false"}
"""Keeps Argo CD's own Application when the root is pruned or deleted (teardown never removes Argo CD)."""
WEBHOOK_PATH = "/api/webhook"
"""Path of Argo CD's Git webhook endpoint on argocd-server."""
WEBHOOK_SECRET_KEYS = (
    "webhook.github.secret",
    "webhook.gitlab.secret",
    "webhook.gogs.secret",
    "webhook.bitbucketserver.secret",
)
"""argocd-secret keys set to the webhook secret: every shared-secret dialect Argo CD knows, so none is open."""
OIDC_SECRET_KEY = "oidc.clientSecret"
"""argocd-secret key of the OIDC client secret (referenced as `$oidc.clientSecret` in argocd-cm)."""
PLATFORM_CLUSTER_KINDS = (
    ("", "Namespace"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("external-secrets.io", "ClusterSecretStore"),
    ("kyverno.io", "ClusterPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
)
"""Cluster-scoped kinds the `platform` project may manage (controllers bring CRDs, RBAC, webhooks)."""


def object_meta(name: str, namespace: str, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    """Metadata of an Argo CD object: name, namespace and (optional) annotations."""
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def _resources(resources: ContainerResources) -> dict[str, Any]:
    return {
        part: {key: value for key, value in amounts.model_dump().items() if value is not None}
        for part, amounts in (("requests", resources.requests), ("limits", resources.limits))
        if amounts.cpu is not None or amounts.memory is not None
    }


def oidc_config(argocd: ArgoCdConfig) -> str | None:
    """argocd-cm `oidc.config` (no secret: the client secret is a `$oidc.clientSecret` reference)."""
    if argocd.sso is None:
        return None
    sso = argocd.sso
    body = {
        "name": sso.name,
        "issuer": sso.issuer,
        "clientID": sso.client_id,
        "clientSecret": f"${OIDC_SECRET_KEY}",
        "requestedScopes": list(sso.requested_scopes),
    }
    return yaml.safe_dump(body, sort_keys=False)


def rbac_policy(argocd: ArgoCdConfig) -> dict[str, str]:
    """argocd-rbac-cm: the default role and the admin group mappings."""
    admin_groups = argocd.sso.admin_groups if argocd.sso else ()
    return {
        "policy.default": "role:readonly" if argocd.default_role == "readonly" else "",
        "policy.csv": "".join(f"g, {group}, role:admin\n" for group in admin_groups),
        "scopes": "[groups]",
    }


def chart_domain(argocd: ArgoCdConfig) -> str:
    """The chart's `global.domain`: the host (and port) of `gitops.url`, or empty without a URL.

    The chart defaults it to `argocd.example.com` and derives argocd-cm `url` and the
    notifications' `argocdUrl` from it; empty, both render as a bare `https://`, which
    names no host (Argo CD needs `url` only for SSO, and SSO requires `gitops.url`).
    """
    return urlsplit(argocd.url).netloc if argocd.url is not None else ""


def chart_values(config: PlatformConfig, argocd: ArgoCdConfig) -> dict[str, Any]:
    """Values of the argo-cd chart: sizing, settings, RBAC and security defaults (no secrets)."""
    cm: dict[str, str] = {
        "admin.enabled": "false" if argocd.sso else "true",
        "users.anonymous.enabled": "false",
        "exec.enabled": "false",
        "timeout.reconciliation": argocd.sync_interval,
        "application.resourceTrackingMethod": "annotation",
        "resource.customizations.health.argoproj.io_Application": APPLICATION_HEALTH_LUA,
    }
    if argocd.url is not None:
        cm["url"] = argocd.url
    oidc = oidc_config(argocd)
    if oidc is not None:
        cm["oidc.config"] = oidc
    configs: dict[str, Any] = {
        "cm": cm,
        "rbac": rbac_policy(argocd),
        # Pulumi owns argocd-secret (webhook and OIDC secrets); the chart must not render or prune it.
        "secret": {"createSecret": False},
    }
    # Metrics Services for the monitoring stage's ServiceMonitors, when observability is on.
    metrics = {"enabled": config.services.observability.enabled}
    credentials = config.repo.credentials
    if isinstance(credentials, SshCredentials):
        configs["ssh"] = {"extraHosts": credentials.known_hosts}
    registries = oci_registries(config)
    if registries:
        configs["repositories"] = registries
    notifications = notifications_values(config)
    if argocd.url is not None and notifications["enabled"]:
        notifications["argocdUrl"] = argocd.url  # exact (the chart would assume https://<domain>)
    values = {
        "global": {"domain": chart_domain(argocd)},
        "crds": {"install": True, "keep": True},
        "dex": {"enabled": False},
        "configs": configs,
        "controller": {
            "replicas": argocd.controller_replicas,
            "resources": _resources(argocd.controller_resources),
            "metrics": metrics,
        },
        "repoServer": {
            "replicas": argocd.repo_server_replicas,
            "resources": _resources(argocd.repo_server_resources),
            "metrics": metrics,
        },
        "server": {"replicas": argocd.server_replicas, "metrics": metrics},
        "notifications": notifications,
    }
    if config.fleet.role == "hub":
        values = hub_chart_values(values)
    return values


def hub_chart_values(values: dict[str, Any]) -> dict[str, Any]:
    """A fleet hub's argo-cd chart values: progressive syncs on (its RollingSync needs them on Argo CD 3.0)."""
    configs = dict(values["configs"])
    configs["params"] = {**configs.get("params", {}), "applicationsetcontroller.enable.progressive.syncs": True}
    return {**values, "configs": configs}


def oci_registries(config: PlatformConfig) -> dict[str, dict[str, str]]:
    """A repository entry (`enableOCI`) per OCI registry a platform chart comes from (Karpenter's, on ECR Public).

    Argo CD pulls a Helm chart from an OCI registry only when a repository Secret for it says
    `enableOCI: "true"`; the chart's `configs.repositories` writes those Secrets. Public registries
    only: the entries carry no credentials.
    """
    charts = [chart for chart in (*controller_charts(config), *observability_charts(config)) if chart.oci]
    return {
        chart.release: {"name": chart.release, "type": "helm", "url": chart.helm_repo_url, "enableOCI": "true"}
        for chart in sorted(charts, key=lambda chart: chart.release)
    }


def sync_policy(argocd: ArgoCdConfig, *options: str) -> dict[str, Any]:
    """Automated sync with prune and self-heal, and retry with exponential backoff."""
    retry = argocd.retry
    policy: dict[str, Any] = {
        "automated": {"prune": True, "selfHeal": True},
        "retry": {
            "limit": retry.limit,
            "backoff": {
                "duration": retry.backoff_duration,
                "factor": retry.backoff_factor,
                "maxDuration": retry.backoff_max_duration,
            },
        },
    }
    if options:
        policy["syncOptions"] = list(options)
    return policy


def self_application(config: PlatformConfig, argocd: ArgoCdConfig) -> dict[str, Any]:
    """The Application through which Argo CD upgrades itself (seeded; never pruned or deleted with the root)."""
    return {
        "apiVersion": API_VERSION,
        "kind": "Application",
        "metadata": object_meta(SELF_APP, argocd.namespace, {SYNC_WAVE: "-3", **KEEP_ON_DELETE}),
        "spec": {
            "project": PLATFORM_PROJECT,
            "source": {
                "repoURL": argocd.chart_repository,
                "chart": "argo-cd",
                "targetRevision": argocd.chart_version,
                "helm": {"releaseName": RELEASE_NAME, "valuesObject": chart_values(config, argocd)},
            },
            "destination": {"server": IN_CLUSTER, "namespace": argocd.namespace},
            # Server-side apply: Argo CD's CRDs are too large for client-side apply's annotation.
            "syncPolicy": sync_policy(argocd, "ServerSideApply=true"),
        },
    }


def locked_default_project(argocd: ArgoCdConfig) -> dict[str, Any]:
    """The `default` AppProject with nothing allowed, so every Application must name a real project."""
    return {
        "apiVersion": API_VERSION,
        "kind": "AppProject",
        "metadata": object_meta("default", argocd.namespace),
        "spec": {
            "description": "Locked down by platform-kit: use a named AppProject",
            "sourceRepos": [],
            "destinations": [],
            "clusterResourceWhitelist": [],
            "namespaceResourceBlacklist": [{"group": "*", "kind": "*"}],
        },
    }


def cluster_secret(
    secret_name: str,
    namespace: str,
    cluster_name: str,
    server: str,
    cluster_config: str,
    labels: dict[str, str],
    annotations: dict[str, str],
) -> dict[str, Any]:
    """An Argo CD cluster Secret: the cluster's name, API server and connection config; labels and annotations
    carry the metadata contract for ApplicationSets' cluster generators."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {
            "name": secret_name,
            "namespace": namespace,
            "labels": {SECRET_TYPE: "cluster", **labels},
            "annotations": dict(annotations),
        },
        "stringData": {"name": cluster_name, "server": server, "config": cluster_config},
    }


def cluster_secret_body(
    argocd: ArgoCdConfig, cluster_name: str, labels: dict[str, str], annotations: dict[str, str]
) -> dict[str, Any]:
    """Declarative in-cluster cluster Secret whose labels/annotations carry the metadata contract."""
    config = '{"tlsClientConfig":{"insecure":false}}'
    return cluster_secret(CLUSTER_SECRET, argocd.namespace, cluster_name, IN_CLUSTER, config, labels, annotations)


def config_repo_source(path: str) -> dict[str, Any]:
    """A source in the config repo; its URL and branch are placeholders the root Application fills."""
    return {"repoURL": variable("repo_url"), "targetRevision": variable("repo_branch"), "path": path}


def layer_application(
    argocd: ArgoCdConfig,
    name: str,
    source: dict[str, Any],
    wave: int,
    *,
    namespace: str,
    sync_options: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A layer of `clusters/<env>/`: an Application at sync wave `wave` that the root waits on.

    Its finalizer makes deleting it (the root's cascade on teardown) delete what it applied.
    """
    metadata = object_meta(name, argocd.namespace, {SYNC_WAVE: str(wave)})
    metadata["finalizers"] = [FINALIZER]
    return {
        "apiVersion": API_VERSION,
        "kind": "Application",
        "metadata": metadata,
        "spec": {
            "project": PLATFORM_PROJECT,
            "source": source,
            "destination": {"server": IN_CLUSTER, "namespace": namespace},
            "syncPolicy": sync_policy(argocd, *sync_options),
        },
    }


def settings_secret_data(webhook_secret: str, oidc_client_secret: str | None) -> dict[str, str]:
    """Keys Pulumi writes into `argocd-secret`: the webhook secret for every dialect, the OIDC client secret."""
    data = dict.fromkeys(WEBHOOK_SECRET_KEYS, webhook_secret)
    if oidc_client_secret is not None:
        data[OIDC_SECRET_KEY] = oidc_client_secret
    return data
