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

import json
from typing import Any, Literal

from platform_kit.config.services import ObservabilityConfig
from platform_kit.repo.services.charts import HelmChart
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

_API = "monitoring.coreos.com/v1"
_LABELS = {"app.kubernetes.io/part-of": "platform", "app.kubernetes.io/component": "monitoring", "release": RELEASE}
_MIB = {"Mi": 1, "Gi": 1024, "Ti": 1024 * 1024}


def _requests(cpu: str, memory: str) -> dict[str, Any]:
    return {"requests": {"cpu": cpu, "memory": memory}}


def retention_size(storage_size: str) -> str:
    """Prometheus `retentionSize` for a volume of `storage_size` (`50Gi` -> `43520MB`; Prometheus MB are MiB)."""
    number, unit = storage_size[:-2], storage_size[-2:]
    return f"{int(int(number) * _MIB[unit] * RETENTION_SIZE_RATIO)}MB"


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
    return HelmChart(
        release=RELEASE,
        namespace=MONITORING_NAMESPACE,
        repo_url=CHART_REPOSITORY,
        chart="kube-prometheus-stack",
        version=config.chart_version,
        values=values,
        create_namespace=False,
    )


def monitoring_objects(
    agent: Literal["flux", "argocd"], agent_namespace: str, secrets_enabled: bool
) -> list[dict[str, Any]]:
    """Scrape configs, alerts and dashboards for the agent (and ESO), sorted by kind and name.

    Everything lives in the monitoring namespace (monitors select their targets' namespace
    explicitly) and uses kube-prometheus-stack's CRDs, so it is applied after the chart.
    """
    if agent == "flux":
        objects = [*flux_monitors(agent_namespace), flux_rules(agent_namespace), flux_dashboard(agent_namespace)]
    elif agent == "argocd":
        objects = [*argocd_monitors(agent_namespace), argocd_rules(agent_namespace), argocd_dashboard(agent_namespace)]
    else:
        raise ValueError(f"unknown agent {agent!r} (expected 'flux' or 'argocd')")
    if secrets_enabled:
        objects += [external_secrets_monitor(), external_secrets_rules(), external_secrets_dashboard()]
    return sorted(objects, key=lambda obj: (obj["kind"], obj["metadata"]["name"]))


def _meta(name: str, annotations: dict[str, str] | None = None, **labels: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": MONITORING_NAMESPACE, "labels": {**_LABELS, **labels}}
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


# ----------------------------------------------------------------- scrape configs


def _pod_monitor(name: str, namespace: str, match_labels: dict[str, str], port: str) -> dict[str, Any]:
    return {
        "apiVersion": _API,
        "kind": "PodMonitor",
        "metadata": _meta(name),
        "spec": {
            "namespaceSelector": {"matchNames": [namespace]},
            "selector": {"matchLabels": dict(match_labels)},
            "podMetricsEndpoints": [{"port": port, "path": "/metrics"}],
        },
    }


def flux_monitors(namespace: str) -> list[dict[str, Any]]:
    """PodMonitors for the Flux controllers (`gotk_*`, controller-runtime) and the Flux Operator (`flux_*_info`)."""
    return [
        _pod_monitor("flux-controllers", namespace, {"app.kubernetes.io/part-of": "flux"}, "http-prom"),
        _pod_monitor("flux-operator", namespace, {"app.kubernetes.io/name": "flux-operator"}, "http-metrics"),
    ]


ARGOCD_METRICS_SERVICES = (
    ("application-controller", "argocd-metrics"),
    ("repo-server", "argocd-repo-server-metrics"),
    ("server", "argocd-server-metrics"),
)
"""(component, app.kubernetes.io/name) of the argo-cd chart's metrics Services (`<component>.metrics.enabled`)."""


def argocd_monitors(namespace: str) -> list[dict[str, Any]]:
    """ServiceMonitors for the argo-cd chart's metrics Services, selected by the chart's own labels.

    The chart creates those Services only with `controller.metrics.enabled`,
    `repoServer.metrics.enabled` and `server.metrics.enabled` (port name `http-metrics`).
    """
    return [
        {
            "apiVersion": _API,
            "kind": "ServiceMonitor",
            "metadata": _meta(f"argocd-{component}"),
            "spec": {
                "namespaceSelector": {"matchNames": [namespace]},
                "selector": {"matchLabels": {"app.kubernetes.io/name": name, "app.kubernetes.io/component": component}},
                "endpoints": [{"port": "http-metrics", "path": "/metrics"}],
            },
        }
        for component, name in ARGOCD_METRICS_SERVICES
    ]


def external_secrets_monitor() -> dict[str, Any]:
    """PodMonitor for the ESO controller pods (a pod port, so the chart's optional metrics Service is not needed)."""
    return _pod_monitor(
        "external-secrets", EXTERNAL_SECRETS_NAMESPACE, {"app.kubernetes.io/name": "external-secrets"}, "metrics"
    )


# ------------------------------------------------------------------------ alerts


def _alert(name: str, expr: str, for_: str, severity: str, summary: str, description: str) -> dict[str, Any]:
    return {
        "alert": name,
        "expr": expr,
        "for": for_,
        "labels": {"severity": severity},
        "annotations": {"summary": summary, "description": description},
    }


def _rule(name: str, group: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": _API,
        "kind": "PrometheusRule",
        "metadata": _meta(name, NO_SUBSTITUTION),
        "spec": {"groups": [{"name": group, "rules": rules}]},
    }


_OBJECT = "{{ $labels.kind }} {{ $labels.exported_namespace }}/{{ $labels.name }}"
_APP = "Application {{ $labels.exported_namespace }}/{{ $labels.name }} (project {{ $labels.project }})"


def flux_rules(namespace: str) -> dict[str, Any]:
    """Alerts on failed, stalled and suspended Flux reconciliations and on Git drift.

    Per-object state comes from the Flux Operator's `flux_resource_info` (the controllers'
    own `gotk_reconcile_condition` is deprecated). Flux has no drift metric: it corrects
    in-cluster drift on every reconcile and reports drift only as events. So drift can
    only persist if reconciliation fails (FluxReconciliationFailed), stops
    (FluxDriftCorrectionStopped, from the `gotk_reconcile_duration_seconds` counters), or
    falls behind Git (FluxClusterBehindGit: a Kustomization's last attempted revision
    differs from its source's artifact revision).
    """
    ns = f'namespace="{namespace}"'
    by_object = "max by (kind, exported_namespace, name)"
    # Joins each Kustomization to the source of the same name in its namespace (the layout never
    # references a source in another namespace).
    behind = (
        'max by (exported_namespace, name, source_name, revision) (flux_resource_info{kind="Kustomization", '
        'suspended="False"})\nunless on (exported_namespace, source_name, revision)\n'
        'label_replace(max by (exported_namespace, name, revision) (flux_resource_info{kind=~"GitRepository|'
        'OCIRepository|Bucket"}), "source_name", "$1", "name", "(.+)")'
    )
    kustomization_reconciles = f'gotk_reconcile_duration_seconds_count{{{ns}, kind="Kustomization"}}'
    rules = [
        _alert(
            "FluxReconciliationFailed",
            f'{by_object} (flux_resource_info{{ready="False", suspended="False"}}) == 1',
            "15m",
            "critical",
            f"{_OBJECT} fails to reconcile",
            f"{_OBJECT} has been not Ready for 15 minutes; the cluster no longer follows Git for it. "
            "See `flux get all -A --status-selector ready=false` and its events.",
        ),
        _alert(
            "FluxReconciliationStalled",
            f'{by_object} (flux_resource_info{{ready="Unknown", suspended="False"}}) == 1',
            "30m",
            "warning",
            f"{_OBJECT} is stuck reconciling",
            f"{_OBJECT} has been progressing for 30 minutes without becoming Ready (waiting on dependencies, "
            "health checks or a hung controller).",
        ),
        _alert(
            "FluxReconciliationSuspended",
            f'{by_object} (flux_resource_info{{suspended="True"}}) == 1',
            "12h",
            "warning",
            f"{_OBJECT} is suspended",
            f"{_OBJECT} has been suspended for 12 hours: changes in Git are not applied and drift is not "
            "corrected. Resume it with `flux resume`.",
        ),
        _alert(
            "FluxClusterBehindGit",
            behind,
            "30m",
            "warning",
            "Kustomization {{ $labels.exported_namespace }}/{{ $labels.name }} lags behind its source",
            "Kustomization {{ $labels.exported_namespace }}/{{ $labels.name }} last attempted revision "
            "{{ $labels.revision }}, which is not the current revision of source {{ $labels.source_name }}: "
            "the cluster has drifted from Git for 30 minutes.",
        ),
        _alert(
            "FluxDriftCorrectionStopped",
            f"sum(increase({kustomization_reconciles}[2h])) == 0\nor absent({kustomization_reconciles})",
            "15m",
            "critical",
            "Flux stopped reconciling Kustomizations",
            f"No Kustomization was reconciled by kustomize-controller in {namespace} for 2 hours (or its metrics "
            "are missing): nothing from Git is applied and drift is not corrected.",
        ),
        _alert(
            "FluxControllerReconcileErrors",
            f"sum by (controller) (rate(controller_runtime_reconcile_errors_total{{{ns}}}[10m])) > 0",
            "30m",
            "warning",
            "Flux controller {{ $labels.controller }} keeps failing",
            f"The {{{{ $labels.controller }}}} controller in {namespace} has returned reconcile errors for 30 minutes.",
        ),
        _alert(
            "FluxOperatorMetricsAbsent",
            "absent(flux_resource_info)",
            "15m",
            "warning",
            "Flux resource metrics are missing",
            f"The Flux Operator in {namespace} exports no flux_resource_info: the other Flux alerts are blind.",
        ),
    ]
    return _rule("flux-alerts", "flux.reconciliation", rules)


def argocd_rules(namespace: str) -> dict[str, Any]:
    """Alerts on failed syncs, comparison errors, unhealthy, stalled and out-of-sync (drifted) Applications."""
    ns = f'namespace="{namespace}"'
    by_app = "max by (exported_namespace, name, project)"
    reconciles = f"argocd_app_reconcile_count{{{ns}}}"
    rules = [
        _alert(
            "ArgoCdAppSyncFailed",
            f'sum by (exported_namespace, name, project) (increase(argocd_app_sync_total{{{ns}, phase=~"Error|Failed"}}'
            "[15m])) > 0",
            "5m",
            "warning",
            f"{_APP} failed to sync",
            f"A sync operation of {_APP} ended in Error or Failed in the last 15 minutes.",
        ),
        _alert(
            "ArgoCdAppComparisonError",
            f'{by_app} (argocd_app_info{{{ns}, sync_status="Unknown"}}) == 1',
            "15m",
            "critical",
            f"{_APP} cannot be compared with Git",
            f"Argo CD has not been able to render or compare {_APP} for 15 minutes (repository unreachable or "
            "manifests invalid): the cluster no longer follows Git for it.",
        ),
        _alert(
            "ArgoCdAppUnhealthy",
            f'{by_app} (argocd_app_info{{{ns}, health_status=~"Degraded|Missing"}}) == 1',
            "15m",
            "warning",
            f"{_APP} is unhealthy",
            f"{_APP} has been Degraded or Missing for 15 minutes.",
        ),
        _alert(
            "ArgoCdAppOutOfSync",
            f'{by_app} (argocd_app_info{{{ns}, sync_status="OutOfSync"}}) == 1',
            "30m",
            "warning",
            f"{_APP} has drifted from Git",
            f"{_APP} has been OutOfSync for 30 minutes: the live state differs from Git and self-heal did not fix it.",
        ),
        _alert(
            "ArgoCdAppProgressingTooLong",
            f'{by_app} (argocd_app_info{{{ns}, health_status="Progressing"}}) == 1',
            "30m",
            "warning",
            f"{_APP} is stuck progressing",
            f"{_APP} has been Progressing for 30 minutes.",
        ),
        _alert(
            "ArgoCdAutoSyncDisabled",
            f'{by_app} (argocd_app_info{{{ns}, autosync_enabled="false"}}) == 1',
            "12h",
            "warning",
            f"{_APP} does not sync automatically",
            f"Automated sync of {_APP} has been off for 12 hours: Git changes wait for a manual sync and drift "
            "is not healed.",
        ),
        _alert(
            "ArgoCdReconciliationStopped",
            f"sum(increase({reconciles}[30m])) == 0\nor absent({reconciles})",
            "15m",
            "critical",
            "Argo CD stopped reconciling Applications",
            f"The application controller in {namespace} has reconciled no Application for 30 minutes (or its "
            "metrics are missing): nothing from Git is applied and drift is not detected.",
        ),
    ]
    return _rule("argocd-alerts", "argocd.reconciliation", rules)


def external_secrets_rules() -> dict[str, Any]:
    """Alerts on ExternalSecrets that fail to sync and on an absent ESO controller."""
    ns = f'namespace="{EXTERNAL_SECRETS_NAMESPACE}"'
    secret = "ExternalSecret {{ $labels.exported_namespace }}/{{ $labels.name }}"
    rules = [
        _alert(
            "ExternalSecretNotReady",
            "max by (exported_namespace, name) "
            f'(externalsecret_status_condition{{{ns}, condition="Ready", status="False"}}) == 1',
            "15m",
            "warning",
            f"{secret} is not Ready",
            f"{secret} has not synced from the secrets manager for 15 minutes; its Secret keeps the last value.",
        ),
        _alert(
            "ExternalSecretSyncErrors",
            f"sum by (exported_namespace, name) (increase(externalsecret_sync_calls_error{{{ns}}}[15m])) > 0",
            "15m",
            "warning",
            f"{secret} keeps failing to sync",
            f"Sync calls of {secret} have failed for 15 minutes (permissions, missing key or provider errors).",
        ),
        _alert(
            "ExternalSecretsOperatorDown",
            f"absent(up{{{ns}}} == 1)",
            "10m",
            "critical",
            "External Secrets Operator is not scraped",
            f"No External Secrets Operator pod in {EXTERNAL_SECRETS_NAMESPACE} has answered a scrape for "
            "10 minutes: secrets are not refreshed.",
        ),
    ]
    return _rule("external-secrets-alerts", "external-secrets.sync", rules)


# -------------------------------------------------------------------- dashboards

_DATASOURCE = {"type": "prometheus", "uid": "$datasource"}


def _target(expr: str, legend: str = "", instant: bool = False) -> dict[str, Any]:
    target: dict[str, Any] = {"datasource": _DATASOURCE, "expr": expr, "legendFormat": legend or "__auto"}
    if instant:
        target.update({"format": "table", "instant": True, "range": False})
    return target


def _panel(kind: str, title: str, targets: list[dict[str, Any]], unit: str = "short") -> dict[str, Any]:
    """A panel without id and position (`_dashboard` lays panels out)."""
    panel: dict[str, Any] = {
        "type": kind,
        "title": title,
        "datasource": _DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": [{**target, "refId": chr(ord("A") + index)} for index, target in enumerate(targets)],
    }
    if kind == "stat":
        panel["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}
        panel["fieldConfig"]["defaults"]["thresholds"] = {
            "mode": "absolute",
            "steps": [{"color": "green", "value": None}, {"color": "red", "value": 1}],
        }
    elif kind == "timeseries":
        panel["options"] = {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "multi"}}
    return panel


_WIDTH = {"stat": 6, "timeseries": 12, "table": 24}
_HEIGHT = {"stat": 4, "timeseries": 8, "table": 8}


def _dashboard(uid: str, title: str, tags: list[str], panels: list[dict[str, Any]]) -> dict[str, Any]:
    """A Grafana dashboard model; panels flow left to right on a 24-column grid."""
    x = y = row_height = 0
    laid_out = []
    for index, panel in enumerate(panels, start=1):
        width, height = _WIDTH[panel["type"]], _HEIGHT[panel["type"]]
        if x + width > 24:
            x, y, row_height = 0, y + row_height, 0
        laid_out.append({"id": index, "gridPos": {"h": height, "w": width, "x": x, "y": y}, **panel})
        x, row_height = x + width, max(row_height, height)
    datasource_variable = {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "current": {},
        "hide": 0,
        "refresh": 1,
    }
    return {
        "uid": uid,
        "title": title,
        "tags": ["platform", *tags],
        "editable": False,
        "timezone": "utc",
        "refresh": "1m",
        "schemaVersion": 39,
        "version": 1,
        "time": {"from": "now-6h", "to": "now"},
        "annotations": {"list": []},
        "templating": {"list": [datasource_variable]},
        "panels": laid_out,
    }


def _dashboard_config_map(name: str, dashboard: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(f"grafana-dashboard-{name}", NO_SUBSTITUTION, **{DASHBOARD_LABEL: "1"}),
        "data": {f"{name}.json": json.dumps(dashboard, indent=2, sort_keys=True) + "\n"},
    }


def flux_dashboard(namespace: str) -> dict[str, Any]:
    """Dashboard ConfigMap: Flux resource state, reconcile rate, errors and duration."""
    ns = f'namespace="{namespace}"'
    rate = "[$__rate_interval]"
    panels = [
        _panel("stat", "Resources not ready", [_target('count(flux_resource_info{ready="False"}) or vector(0)')]),
        _panel("stat", "Resources progressing", [_target('count(flux_resource_info{ready="Unknown"}) or vector(0)')]),
        _panel("stat", "Resources suspended", [_target('count(flux_resource_info{suspended="True"}) or vector(0)')]),
        _panel("stat", "Resources total", [_target("count(flux_resource_info) or vector(0)")]),
        _panel(
            "timeseries",
            "Reconciliations per second by kind",
            [_target(f"sum by (kind) (rate(gotk_reconcile_duration_seconds_count{{{ns}}}{rate}))", "{{kind}}")],
            "ops",
        ),
        _panel(
            "timeseries",
            "Reconcile errors per second by controller",
            [
                _target(
                    f"sum by (controller) (rate(controller_runtime_reconcile_errors_total{{{ns}}}{rate}))",
                    "{{controller}}",
                )
            ],
            "ops",
        ),
        _panel(
            "timeseries",
            "Reconcile duration p95 by kind",
            [
                _target(
                    "histogram_quantile(0.95, sum by (kind, le) "
                    f"(rate(gotk_reconcile_duration_seconds_bucket{{{ns}}}{rate})))",
                    "{{kind}}",
                )
            ],
            "s",
        ),
        _panel(
            "timeseries",
            "Reconciliations per second by result",
            [_target(f"sum by (result) (rate(controller_runtime_reconcile_total{{{ns}}}{rate}))", "{{result}}")],
            "ops",
        ),
        _panel(
            "table",
            "Resources not ready",
            [
                _target(
                    "max by (kind, exported_namespace, name, ready, reason, suspended) "
                    '(flux_resource_info{ready!="True"})',
                    instant=True,
                )
            ],
        ),
    ]
    return _dashboard_config_map("flux", _dashboard("platform-flux", "Platform / Flux", ["gitops", "flux"], panels))


def argocd_dashboard(namespace: str) -> dict[str, Any]:
    """Dashboard ConfigMap: Application sync and health, sync operations, reconcile rate and duration."""
    ns = f'namespace="{namespace}"'
    rate = "[$__rate_interval]"
    panels = [
        _panel(
            "stat",
            "Applications out of sync",
            [_target(f'count(argocd_app_info{{{ns}, sync_status="OutOfSync"}}) or vector(0)')],
        ),
        _panel(
            "stat",
            "Applications with unknown sync",
            [_target(f'count(argocd_app_info{{{ns}, sync_status="Unknown"}}) or vector(0)')],
        ),
        _panel(
            "stat",
            "Applications degraded",
            [_target(f'count(argocd_app_info{{{ns}, health_status="Degraded"}}) or vector(0)')],
        ),
        _panel("stat", "Applications total", [_target(f"count(argocd_app_info{{{ns}}}) or vector(0)")]),
        _panel(
            "timeseries",
            "Sync operations per second by phase",
            [_target(f"sum by (phase) (rate(argocd_app_sync_total{{{ns}}}{rate}))", "{{phase}}")],
            "ops",
        ),
        _panel(
            "timeseries",
            "Application reconciliations per second",
            [_target(f"sum(rate(argocd_app_reconcile_count{{{ns}}}{rate}))", "reconciliations")],
            "ops",
        ),
        _panel(
            "timeseries",
            "Application reconcile duration p95",
            [
                _target(
                    f"histogram_quantile(0.95, sum by (le) (rate(argocd_app_reconcile_bucket{{{ns}}}{rate})))", "p95"
                )
            ],
            "s",
        ),
        _panel(
            "timeseries",
            "Git requests per second by type",
            [_target(f"sum by (request_type) (rate(argocd_git_request_total{{{ns}}}{rate}))", "{{request_type}}")],
            "ops",
        ),
        _panel(
            "table",
            "Applications not synced or not healthy",
            [
                _target(
                    "max by (exported_namespace, name, project, sync_status, health_status) "
                    f'(argocd_app_info{{{ns}, sync_status!="Synced"}} '
                    f'or argocd_app_info{{{ns}, health_status!="Healthy"}})',
                    instant=True,
                )
            ],
        ),
    ]
    return _dashboard_config_map(
        "argocd", _dashboard("platform-argocd", "Platform / Argo CD", ["gitops", "argocd"], panels)
    )


def external_secrets_dashboard() -> dict[str, Any]:
    """Dashboard ConfigMap: ExternalSecret readiness, sync calls and errors, controller reconcile duration."""
    ns = f'namespace="{EXTERNAL_SECRETS_NAMESPACE}"'
    rate = "[$__rate_interval]"
    not_ready = f'externalsecret_status_condition{{{ns}, condition="Ready", status="False"}} == 1'
    panels = [
        _panel("stat", "ExternalSecrets not ready", [_target(f"count({not_ready}) or vector(0)")]),
        _panel(
            "stat",
            "ExternalSecrets total",
            [_target(f'count(externalsecret_status_condition{{{ns}, condition="Ready"}} == 1) or vector(0)')],
        ),
        _panel(
            "timeseries",
            "Sync calls per second",
            [_target(f"sum(rate(externalsecret_sync_calls_total{{{ns}}}{rate}))", "sync calls")],
            "ops",
        ),
        _panel(
            "timeseries",
            "Sync errors per second by namespace",
            [
                _target(
                    f"sum by (exported_namespace) (rate(externalsecret_sync_calls_error{{{ns}}}{rate}))",
                    "{{exported_namespace}}",
                )
            ],
            "ops",
        ),
        _panel(
            "timeseries",
            "Reconcile duration p95 by controller",
            [
                _target(
                    "histogram_quantile(0.95, sum by (controller, le) "
                    f"(rate(controller_runtime_reconcile_time_seconds_bucket{{{ns}}}{rate})))",
                    "{{controller}}",
                )
            ],
            "s",
        ),
        _panel(
            "table",
            "ExternalSecrets not ready",
            [_target(f"max by (exported_namespace, name) ({not_ready})", instant=True)],
        ),
    ]
    dashboard = _dashboard("platform-external-secrets", "Platform / External Secrets", ["secrets"], panels)
    return _dashboard_config_map("external-secrets", dashboard)
