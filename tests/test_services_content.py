"""Content of the observability and policy services: charts, monitors, alerts, dashboards, Kyverno policies."""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path

import pytest
import yaml

from platform_kit.config.services import ObservabilityConfig, PolicyConfig
from platform_kit.repo.argocd import monitoring as argocd_monitoring
from platform_kit.repo.flux import delivery as flux_delivery
from platform_kit.repo.flux import monitoring as flux_monitoring
from platform_kit.repo.services import delivery, observability
from platform_kit.repo.services.observability import (
    DASHBOARD_LABEL,
    EXTERNAL_SECRETS_NAMESPACE,
    MONITORING_NAMESPACE,
    RELEASE,
    prometheus_stack_chart,
    retention_size,
)
from platform_kit.repo.services.policy import (
    KYVERNO_NAMESPACE,
    POLICY_NAME,
    RULE_NAME,
    failure_action_patches,
    kyverno_chart,
    policy_objects,
)
from platform_kit.validation.manifests import kustomize_build, validate_object

NO_SUBSTITUTION_KEY = "kustomize.toolkit.fluxcd.io/substitute"
DELIVERY_SERIES = {
    delivery.DEPLOYMENTS,
    delivery.FAILED_SYNCS,
    delivery.OUT_OF_SYNC,
    delivery.FAILING,
    delivery.OUT_OF_SYNC_SINCE,
    delivery.OUT_OF_SYNC_DURATION,
    delivery.FAILING_SINCE,
    delivery.FAILING_DURATION,
    delivery.TEAM_DEPLOYMENTS,
    delivery.TEAM_FAILED_SYNCS,
    delivery.TEAM_OUT_OF_SYNC,
    delivery.TEAM_DRIFT_DURATION,
    delivery.TEAM_TIME_TO_RECOVER,
    flux_delivery.APPLIED_REVISION,
    flux_delivery.FAILED_REVISION,
}

AGENTS = {"flux": "flux-system", "argocd": "argocd"}
AGENT_MONITORING = {"flux": flux_monitoring.monitoring_objects, "argocd": argocd_monitoring.monitoring_objects}


def monitoring_objects(agent: str, namespace: str, secrets_enabled: bool) -> list[dict]:
    """What the monitoring stage holds for `agent` running in `namespace`."""
    return observability.monitoring_objects(AGENT_MONITORING[agent](namespace), secrets_enabled)


ALL_SETS = [(agent, secrets) for agent in AGENTS for secrets in (False, True)]
PLATFORM_NAMESPACES = ["kube-system", "flux-system", "kyverno"]

# Metrics the rules and dashboards may use, by exporter: a typo in a metric name fails here.
KNOWN_METRICS = {
    "flux_resource_info",
    "gotk_reconcile_duration_seconds_count",
    "gotk_reconcile_duration_seconds_bucket",
    "controller_runtime_reconcile_errors_total",
    "controller_runtime_reconcile_total",
    "controller_runtime_reconcile_time_seconds_bucket",
    "argocd_app_info",
    "argocd_app_sync_total",
    "argocd_app_reconcile_count",
    "argocd_app_reconcile_bucket",
    "argocd_git_request_total",
    "externalsecret_status_condition",
    "externalsecret_sync_calls_total",
    "externalsecret_sync_calls_error",
    "up",
    # the delivery recording rules (platform_kit.repo.services.delivery and the agents' delivery modules)
    *DELIVERY_SERIES,
}
PROMQL_WORDS = {
    "sum",
    "max",
    "count",
    "rate",
    "increase",
    "absent",
    "histogram_quantile",
    "label_replace",
    "label_join",
    "avg",
    "max_over_time",
    "time",
    "without",
    "vector",
    "by",
    "on",
    "or",
    "unless",
    "and",
}


def of_kind(objects, kind):
    return [obj for obj in objects if obj["kind"] == kind]


def walk(node, path=()):
    """Every (path, value) leaf of nested dicts and lists."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*path, index))
    else:
        yield path, node


def promql_problems(expr: str) -> list[str]:
    """Structural PromQL check: balanced brackets outside strings, well-formed matchers and ranges, known metrics."""
    problems = []
    if not expr.strip():
        return ["empty expression"]
    strings = re.findall(r'"(?:[^"\\]|\\.)*"', expr)
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    if '"' in bare.replace('""', ""):
        problems.append("unterminated string")
    stack = []
    for char in bare:
        if char in "({[":
            stack.append(char)
        elif char in ")}]":
            if not stack or "({["[")}]".index(char)] != stack.pop():
                problems.append(f"unbalanced {char!r}")
                break
    if stack:
        problems.append(f"unclosed {stack[-1]!r}")
    matcher = r'\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=~|!~|!=|=)\s*""\s*'
    for selector in re.findall(r"\{([^{}]*)\}", bare):
        if not all(re.fullmatch(matcher, part) for part in selector.split(",")):
            problems.append(f"bad label matchers {{{selector}}}")
    for window in re.findall(r"\[([^\]]*)\]", bare):
        if not re.fullmatch(r"[0-9]+[smhdw]|\$__rate_interval", window):
            problems.append(f"bad range [{window}]")
    for string in strings:
        try:
            re.compile(string[1:-1])  # every string here is a label value or a regular expression
        except re.error:
            problems.append(f"bad regular expression {string}")
    grouping = r"\b(?:by|on|without)\s*\(([^()]*)\)"
    labels = {label.strip() for group in re.findall(grouping, bare) for label in group.split(",")}
    without_selectors = re.sub(r"\{[^{}]*\}|\[[^\]]*\]|\boffset\s+[0-9]+[smhdw]", "", bare)
    identifiers = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", without_selectors))
    unknown = identifiers - KNOWN_METRICS - PROMQL_WORDS - labels
    if unknown:
        problems.append(f"unknown metrics or functions: {sorted(unknown)}")
    return problems


def all_rules(objects):
    return [rule for obj in of_kind(objects, "PrometheusRule") for g in obj["spec"]["groups"] for rule in g["rules"]]


def alert_rules(objects):
    return [rule for rule in all_rules(objects) if "alert" in rule]


def recording_rules(objects):
    return [rule for rule in all_rules(objects) if "record" in rule]


def dashboards(objects):
    return {key: json.loads(text) for obj in of_kind(objects, "ConfigMap") for key, text in sorted(obj["data"].items())}


# -------------------------------------------------------------- kube-prometheus-stack


def test_prometheus_stack_chart_carries_the_configured_sizing():
    config = ObservabilityConfig(retention="30d", storage_size="200Gi", storage_class="gp3", replicas=2)
    chart = prometheus_stack_chart(config, "grafana-admin")
    spec = chart.values["prometheus"]["prometheusSpec"]
    assert (chart.release, chart.namespace, chart.chart) == (RELEASE, MONITORING_NAMESPACE, "kube-prometheus-stack")
    assert chart.repo_url == "https://prometheus-community.github.io/helm-charts"
    assert chart.version == config.chart_version and chart.create_namespace is False
    assert (spec["retention"], spec["replicas"]) == ("30d", 2)
    claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["resources"]["requests"]["storage"] == "200Gi"
    assert claim["storageClassName"] == "gp3"
    assert spec["retentionSize"] == "174080MB"  # 85% of 200 GiB, in Prometheus' base-2 MB
    for selector in ("rule", "serviceMonitor", "podMonitor"):
        assert spec[f"{selector}SelectorNilUsesHelmValues"] is False
    assert chart.values["alertmanager"]["enabled"] is True
    assert spec["resources"]["requests"]["memory"]


def test_storage_class_is_left_to_the_cluster_default_when_unset():
    claim = prometheus_stack_chart(ObservabilityConfig(), None).values["prometheus"]["prometheusSpec"]["storageSpec"]
    assert "storageClassName" not in claim["volumeClaimTemplate"]["spec"]
    assert claim["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"] == "50Gi"


@pytest.mark.parametrize(("size", "expected"), [("50Gi", "43520MB"), ("500Mi", "425MB"), ("1Ti", "891289MB")])
def test_retention_size_keeps_headroom_on_the_volume(size, expected):
    assert retention_size(size) == expected


def test_grafana_admin_comes_from_the_existing_secret_only_when_given():
    with_secret = prometheus_stack_chart(ObservabilityConfig(), "grafana-admin").values["grafana"]
    assert with_secret["admin"] == {
        "existingSecret": "grafana-admin",
        "userKey": "admin-user",
        "passwordKey": "admin-password",
    }
    without = prometheus_stack_chart(ObservabilityConfig(), None).values["grafana"]
    assert "admin" not in without
    dashboards_sidecar = without["sidecar"]["dashboards"]
    assert dashboards_sidecar == {
        "enabled": True,
        "label": DASHBOARD_LABEL,
        "labelValue": "1",
        "searchNamespace": "ALL",
    }


@pytest.mark.parametrize("secret", [None, "grafana-admin"])
def test_no_password_literal_in_chart_values(secret):
    values = prometheus_stack_chart(ObservabilityConfig(), secret).values
    key_names = {"admin-password", "admin-user"}
    for path, value in walk(values):
        if any("password" in str(part).lower() for part in path) and isinstance(value, str):
            # Either blank (overriding the chart's well-known default) or the name of a Secret key.
            assert value == "" or value in key_names, (path, value)
    # The chart's own default password never survives the merge.
    assert values["grafana"]["adminPassword"] == ""
    assert "prom-operator" not in json.dumps(values)


def test_node_exporter_is_hardened_beyond_its_kyverno_exception():
    node_exporter = prometheus_stack_chart(ObservabilityConfig(), None).values["prometheus-node-exporter"]
    assert node_exporter["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert node_exporter["securityContext"]["runAsNonRoot"] is True
    container = node_exporter["containerSecurityContext"]
    assert container["allowPrivilegeEscalation"] is False and container["capabilities"] == {"drop": ["ALL"]}


# ------------------------------------------------------------------ monitoring set


@pytest.mark.parametrize(("agent", "secrets"), ALL_SETS)
def test_every_monitoring_object_validates(agent, secrets):
    objects = monitoring_objects(agent, AGENTS[agent], secrets)
    assert objects
    for obj in objects:
        assert validate_object(obj) == []
        assert obj["metadata"]["namespace"] == MONITORING_NAMESPACE


@pytest.mark.parametrize(("agent", "secrets"), ALL_SETS)
def test_monitoring_objects_are_deterministic_unique_and_free_of_flux_variables(agent, secrets):
    objects = monitoring_objects(agent, AGENTS[agent], secrets)
    assert objects == monitoring_objects(agent, AGENTS[agent], secrets)
    keys = [(obj["kind"], obj["metadata"]["name"]) for obj in objects]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    # Flux substitutes ${VAR} in everything it applies: alert templates, label_replace and dashboards opt out;
    # only `platform-delivery` is substituted, for the environment, and holds no other `$`.
    substituted = [obj for obj in objects if NO_SUBSTITUTION_KEY not in obj["metadata"].get("annotations", {})]
    assert [
        obj["metadata"]["name"]
        for obj in substituted
        if obj["kind"] != "PodMonitor" and obj["kind"] != "ServiceMonitor"
    ] == ["platform-delivery"]
    for obj in substituted:
        text = json.dumps(obj).replace("${PLATFORM_ENVIRONMENT}", "")
        assert "$" not in text, obj["metadata"]["name"]
    assert json.dumps(objects).count("${") == json.dumps(objects).count("${PLATFORM_ENVIRONMENT}") > 0


def test_flux_pod_monitors_select_the_agent_namespace():
    objects = monitoring_objects("flux", "gitops", secrets_enabled=False)
    monitors = {obj["metadata"]["name"]: obj["spec"] for obj in of_kind(objects, "PodMonitor")}
    assert set(monitors) == {"flux-controllers", "flux-operator"}
    controllers = monitors["flux-controllers"]
    assert controllers["namespaceSelector"] == {"matchNames": ["gitops"]}
    assert controllers["selector"] == {"matchLabels": {"app.kubernetes.io/part-of": "flux"}}
    assert [endpoint["port"] for endpoint in controllers["podMetricsEndpoints"]] == ["http-prom"]
    assert monitors["flux-operator"]["namespaceSelector"] == {"matchNames": ["gitops"]}
    assert not of_kind(objects, "ServiceMonitor")


def test_argocd_service_monitors_select_the_chart_metrics_services_in_the_agent_namespace():
    objects = monitoring_objects("argocd", "cd", secrets_enabled=False)
    monitors = of_kind(objects, "ServiceMonitor")
    components = {m["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] for m in monitors}
    assert components == {"application-controller", "repo-server", "server"}
    for monitor in monitors:
        assert monitor["spec"]["namespaceSelector"] == {"matchNames": ["cd"]}
        assert monitor["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"].startswith("argocd-")
        assert [endpoint["port"] for endpoint in monitor["spec"]["endpoints"]] == ["http-metrics"]
    assert not of_kind(objects, "PodMonitor")


@pytest.mark.parametrize("agent", AGENTS)
def test_external_secrets_is_monitored_only_when_enabled(agent):
    without = monitoring_objects(agent, AGENTS[agent], secrets_enabled=False)
    with_secrets = monitoring_objects(agent, AGENTS[agent], secrets_enabled=True)
    assert "externalsecret" not in json.dumps(without)
    eso = [obj for obj in with_secrets if obj not in without]
    assert {obj["kind"] for obj in eso} == {"PodMonitor", "PrometheusRule", "ConfigMap"}
    monitor = next(obj for obj in eso if obj["kind"] == "PodMonitor")
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [EXTERNAL_SECRETS_NAMESPACE]}
    exprs = " ".join(rule["expr"] for rule in alert_rules(eso))
    assert 'externalsecret_status_condition{namespace="external-secrets", condition="Ready", status="False"}' in exprs


@pytest.mark.parametrize(("agent", "secrets"), ALL_SETS)
def test_alerts_parse_and_carry_for_severity_and_annotations(agent, secrets):
    rules = alert_rules(monitoring_objects(agent, AGENTS[agent], secrets))
    assert len({rule["alert"] for rule in rules}) == len(rules)
    for rule in rules:
        assert promql_problems(rule["expr"]) == [], rule["alert"]
        assert re.fullmatch(r"[0-9]+[mh]", rule["for"]), rule["alert"]
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]


@pytest.mark.parametrize(("agent", "secrets"), ALL_SETS)
def test_recording_rules_parse_follow_the_naming_convention_and_are_unique(agent, secrets):
    rules = recording_rules(monitoring_objects(agent, AGENTS[agent], secrets))
    names = [rule["record"] for rule in rules]
    assert len(set(names)) == len(names) and set(names) <= DELIVERY_SERIES
    assert {delivery.TEAM_DEPLOYMENTS, delivery.TEAM_FAILED_SYNCS, delivery.TEAM_TIME_TO_RECOVER} <= set(names)
    for rule in rules:
        assert promql_problems(rule["expr"]) == [], rule["record"]
        assert re.fullmatch(r"[a-z_]+:[a-z_]+(:[a-z0-9_]+)?", rule["record"]), rule["record"]
        # Per-team series carry the environment from the metadata contract; per-object series do not.
        assert (rule.get("labels") == {"environment": "${PLATFORM_ENVIRONMENT}"}) is rule["record"].startswith(
            "environment_team:"
        )


def test_the_expression_checker_rejects_broken_promql():
    assert promql_problems("sum(rate(up[5m])") != []
    assert promql_problems('up{job="x"') != []
    assert promql_problems('up{job=x"}') != []
    assert promql_problems("rate(up[5 minutes])") != []
    assert promql_problems("flux_resource_inf") != []
    assert promql_problems('max by (name) (up{job="a", namespace=~"b|c"}) == 1') == []


@pytest.mark.parametrize(
    ("agent", "topics"),
    [
        ("flux", ("Failed", "Stalled", "Suspended", "BehindGit")),
        ("argocd", ("SyncFailed", "OutOfSync", "Stopped", "ComparisonError")),
    ],
)
def test_agent_alerts_cover_failure_stall_and_drift(agent, topics):
    names = [rule["alert"] for rule in alert_rules(monitoring_objects(agent, AGENTS[agent], False))]
    for topic in topics:
        assert any(topic in name for name in names), topic


def test_agent_alerts_are_scoped_to_the_agent_namespace():
    objects = monitoring_objects("argocd", "cd", False)
    for rule in alert_rules(objects):
        # The shared delivery alerts read recorded series, which the agent's rules scope below.
        if not rule["alert"].startswith("Delivery"):
            assert 'namespace="cd"' in rule["expr"], rule["alert"]
    for rule in recording_rules(objects):
        if "argocd_" in rule["expr"]:
            assert 'namespace="cd"' in rule["expr"], rule["record"]
    flux = {rule["alert"]: rule["expr"] for rule in alert_rules(monitoring_objects("flux", "gitops", False))}
    assert 'namespace="gitops"' in flux["FluxDriftCorrectionStopped"]


@pytest.mark.parametrize(("agent", "secrets"), ALL_SETS)
def test_dashboards_are_valid_grafana_json_with_panels(agent, secrets):
    objects = monitoring_objects(agent, AGENTS[agent], secrets)
    for config_map in of_kind(objects, "ConfigMap"):
        assert config_map["metadata"]["labels"][DASHBOARD_LABEL] == "1"
    boards = dashboards(objects)
    assert f"{agent}.json" in boards and "delivery.json" in boards
    assert ("external-secrets.json" in boards) is secrets
    for name, board in boards.items():
        assert board["uid"] and len(board["uid"]) <= 40 and board["title"]
        panels = board["panels"]
        assert len(panels) >= 4, name
        assert len({panel["id"] for panel in panels}) == len(panels)
        for panel in panels:
            grid = panel["gridPos"]
            assert grid["x"] + grid["w"] <= 24
            assert panel["targets"]
            for target in panel["targets"]:
                assert promql_problems(target["expr"]) == [], (name, panel["title"])
        titles = " ".join(panel["title"].lower() for panel in panels)
        if name == "delivery.json":
            for topic in ("deployments", "failed syncs", "out of sync", "drift", "time to recover"):
                assert topic in titles, topic
            continue
        assert "per second" in titles and "duration" in titles
        assert "error" in titles or "sync" in titles


def test_agent_dashboard_queries_the_agent_namespace():
    flux_board = dashboards(monitoring_objects("flux", "gitops", False))["flux.json"]
    exprs = [t["expr"] for p in flux_board["panels"] for t in p["targets"]]
    assert any('gotk_reconcile_duration_seconds_bucket{namespace="gitops"}' in expr for expr in exprs)
    assert any("controller_runtime_reconcile_errors_total" in expr for expr in exprs)


# ------------------------------------------------------------------------ Kyverno


@pytest.mark.parametrize("mode", ["Audit", "Enforce"])
def test_kyverno_chart_restricts_exceptions_to_its_namespace(mode):
    chart = kyverno_chart(PolicyConfig(mode=mode))
    assert (chart.release, chart.namespace, chart.chart) == ("kyverno", KYVERNO_NAMESPACE, "kyverno")
    assert chart.repo_url == "https://kyverno.github.io/kyverno/" and chart.create_namespace is True
    assert chart.version == PolicyConfig().chart_version
    assert chart.values["features"]["policyExceptions"] == {"enabled": True, "namespace": KYVERNO_NAMESPACE}
    # In the admission path with a fail-closed webhook only when enforcing: HA then, a single replica otherwise.
    assert chart.values["admissionController"]["replicas"] == (3 if mode == "Enforce" else 1)


@pytest.mark.parametrize("level", ["baseline", "restricted"])
@pytest.mark.parametrize("mode", ["Audit", "Enforce"])
def test_policy_objects_validate(level, mode):
    for obj in policy_objects(PolicyConfig(level=level, mode=mode), PLATFORM_NAMESPACES):
        assert validate_object(obj) == []


@pytest.mark.parametrize("level", ["baseline", "restricted"])
def test_base_policy_is_audit_at_the_configured_level_excluding_exactly_the_platform_namespaces(level):
    # The environment's mode never leaks into the base: Enforce comes from the overlay patch.
    objects = policy_objects(PolicyConfig(level=level, mode="Enforce"), ["monitoring", "kube-system", "kube-system"])
    policies = of_kind(objects, "ClusterPolicy")
    assert [policy["metadata"]["name"] for policy in policies] == [POLICY_NAME]
    spec = policies[0]["spec"]
    assert spec["background"] is True and spec["webhookConfiguration"] == {"failurePolicy": "Ignore"}
    # Deprecated in Kyverno 1.15 (ClusterPolicy CRD of chart 3.5.2): the webhook's own failurePolicy replaces it.
    assert "failurePolicy" not in spec and "validationFailureAction" not in spec
    (rule,) = spec["rules"]
    assert rule["name"] == RULE_NAME
    assert rule["validate"]["failureAction"] == "Audit"
    assert rule["validate"]["podSecurity"] == {"level": level, "version": "latest"}
    assert rule["match"] == {"any": [{"resources": {"kinds": ["Pod"]}}]}
    assert rule["exclude"] == {"any": [{"resources": {"namespaces": ["kube-system", "monitoring"]}}]}


def test_policy_without_platform_namespaces_has_no_exclusion():
    (policy,) = of_kind(policy_objects(PolicyConfig(), []), "ClusterPolicy")
    assert "exclude" not in policy["spec"]["rules"][0]


NAMED_CONTROLS = {"Host Namespaces", "Host Ports", "HostPath Volumes", "Volume Types"}


@pytest.mark.parametrize("level", ["baseline", "restricted"])
def test_exceptions_are_narrow(level):
    exceptions = of_kind(policy_objects(PolicyConfig(level=level), PLATFORM_NAMESPACES), "PolicyException")
    assert exceptions
    for exception in exceptions:
        assert exception["metadata"]["namespace"] == KYVERNO_NAMESPACE
        assert exception["metadata"]["annotations"]["platform-kit.io/reason"]
        spec = exception["spec"]
        assert spec["exceptions"] == [
            {
                "policyName": POLICY_NAME,
                "ruleNames": [RULE_NAME, f"autogen-{RULE_NAME}", f"autogen-cronjob-{RULE_NAME}"],
            }
        ]
        controls = {control["controlName"] for control in spec["podSecurity"]}
        assert controls and controls <= NAMED_CONTROLS
        assert ("Volume Types" in controls) is (level == "restricted")
        for resources in (entry["resources"] for entry in spec["match"]["any"]):
            assert resources["namespaces"] and "*" not in resources["namespaces"]
            assert all(name.strip("*") for name in resources["names"])
        for control in spec["podSecurity"]:
            if control["controlName"] == "Host Ports":
                assert control["images"] and control["values"] == ["9100"]


def test_node_exporter_exception_matches_the_chart_daemonset():
    (exception,) = of_kind(policy_objects(PolicyConfig(), PLATFORM_NAMESPACES), "PolicyException")
    resources = exception["spec"]["match"]["any"][0]["resources"]
    daemonset = f"{RELEASE}-prometheus-node-exporter"
    assert resources["namespaces"] == [MONITORING_NAMESPACE]
    assert any(fnmatch.fnmatch(daemonset, pattern) for pattern in resources["names"])
    assert any(fnmatch.fnmatch(f"{daemonset}-x7k2p", pattern) for pattern in resources["names"])
    assert not any(fnmatch.fnmatch(f"{RELEASE}-grafana-5d9f", pattern) for pattern in resources["names"])
    images = next(c["images"] for c in exception["spec"]["podSecurity"] if c["controlName"] == "Host Ports")
    assert any(fnmatch.fnmatch("quay.io/prometheus/node-exporter:v1.9.1", image) for image in images)


def test_audit_needs_no_patch():
    assert failure_action_patches("Audit") == []


def build_with_patches(tmp_path: Path, mode: str) -> list[dict]:
    foreign = {
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": "team-policy"},
        "spec": {
            "rules": [
                {
                    "name": "r",
                    "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                    "validate": {"failureAction": "Audit", "podSecurity": {"level": "baseline"}},
                }
            ]
        },
    }
    objects = [*policy_objects(PolicyConfig(), PLATFORM_NAMESPACES), foreign]
    (tmp_path / "policies.yaml").write_text(yaml.safe_dump_all(objects, sort_keys=False))
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": ["policies.yaml"],
    }
    patches = failure_action_patches(mode)
    if patches:
        kustomization["patches"] = patches
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump(kustomization, sort_keys=False))
    return kustomize_build(tmp_path)


@pytest.mark.parametrize("mode", ["Audit", "Enforce"])
def test_failure_action_patches_switch_every_platform_policy(tmp_path, mode):
    built = build_with_patches(tmp_path, mode)
    policies = {obj["metadata"]["name"]: obj for obj in of_kind(built, "ClusterPolicy")}
    platform = policies.pop(POLICY_NAME)
    assert [rule["validate"]["failureAction"] for rule in platform["spec"]["rules"]] == [mode]
    assert platform["spec"]["webhookConfiguration"]["failurePolicy"] == ("Fail" if mode == "Enforce" else "Ignore")
    assert "failurePolicy" not in platform["spec"]
    # A policy the platform does not own (no policy-group label) is left alone.
    assert policies["team-policy"]["spec"]["rules"][0]["validate"]["failureAction"] == "Audit"
    for obj in built:
        assert validate_object(obj) == []
    exceptions = of_kind(built, "PolicyException")
    assert exceptions and all(obj["metadata"]["namespace"] == KYVERNO_NAMESPACE for obj in exceptions)
