"""Values the library writes, checked against the real charts (rendered offline) and their CRDs.

kube-prometheus-stack: no control-plane exporters or their alert rules unless asked for, and
everything it renders lands in a namespace the `platform` AppProject permits. argo-cd:
`global.domain` follows `gitops.url`, so nothing says `argocd.example.com`. Kyverno and
Flux: the fields that replace deprecated ones.
"""

from __future__ import annotations

import copy

import helm_python
import pytest
import yaml
from factories import make_config
from stack_support import EKS, EXISTING, REPO_ROOT

from platform_kit import versions
from platform_kit.config import ConfigError
from platform_kit.config.services import PolicyConfig
from platform_kit.inflate import ChartRef, ChartStore
from platform_kit.offline.preview_inflate import DEFAULT_CHART_DIR
from platform_kit.repo import render_config_repo
from platform_kit.repo.argocd import objects as builders
from platform_kit.repo.argocd.layout import platform_project
from platform_kit.repo.services.observability import (
    CONTROL_PLANE_COMPONENTS,
    CONTROL_PLANE_RULE_GROUPS,
    prometheus_stack_chart,
)
from platform_kit.repo.services.policy import kyverno_chart
from platform_kit.validation.manifests import load_documents, validate_object

CHARTS = ChartStore(REPO_ROOT / DEFAULT_CHART_DIR)
"""The vendored chart archives at the pinned versions (tests/fixtures/charts/README.md)."""
KUBE_PROMETHEUS_STACK = ChartRef("kube-prometheus-stack", versions.KUBE_PROMETHEUS_STACK_CHART_VERSION)
ARGO_CD = ChartRef("argo-cd", versions.ARGOCD_CHART_VERSION)
KYVERNO = ChartRef("kyverno", versions.KYVERNO_CHART_VERSION)


OBSERVED = {"services": {"observability": {}, "policy": {}}}
"""Overrides of these tests (with `agent="argocd"`): observability and policy on."""


def render(chart: ChartRef, values: dict, name: str, namespace: str) -> list[dict]:
    """Every object the chart renders for `values` (Helm's engine, offline), its CRDs first."""
    return CHARTS.render(chart, copy.deepcopy(values), release=name, namespace=namespace).objects


def namespace_of(obj: dict) -> str | None:
    return obj["metadata"].get("namespace")


def prometheus_stack_objects(config) -> list[dict]:
    chart = prometheus_stack_chart(config.services.observability, "grafana-admin")
    return render(KUBE_PROMETHEUS_STACK, chart.values, chart.release, chart.namespace)


def test_control_plane_keys_are_the_charts_own():
    defaults = helm_python.Chart.load(str(CHARTS.archive(KUBE_PROMETHEUS_STACK))).values
    assert set(CONTROL_PLANE_RULE_GROUPS) <= set(defaults["defaultRules"]["rules"])
    assert all(defaults[component]["enabled"] is True for component in CONTROL_PLANE_COMPONENTS)


@pytest.mark.parametrize("cluster", [EKS, EXISTING], ids=["eks", "existing"])
def test_control_plane_is_not_scraped_and_its_rules_are_off_by_default(cluster):
    objects = prometheus_stack_objects(make_config(OBSERVED, agent="argocd", cluster=cluster))
    system = sorted(
        (o["kind"], o["metadata"]["name"]) for o in objects if o["metadata"].get("namespace") == "kube-system"
    )
    assert system == [("Service", "kube-prometheus-stack-coredns"), ("Service", "kube-prometheus-stack-kube-proxy")]
    names = {o["metadata"]["name"] for o in objects}
    assert not any(part in name for name in names for part in ("controller-manager", "scheduler", "etcd"))
    groups = {g["name"] for o in objects if o["kind"] == "PrometheusRule" for g in o["spec"]["groups"]}
    assert "kubernetes-system-kubelet" in groups  # the other default rules stay
    assert not {"etcd", "kubernetes-system-controller-manager", "kubernetes-system-scheduler"} & groups
    assert not any("scheduler" in group for group in groups)


def test_self_managed_control_planes_can_opt_in():
    objects = prometheus_stack_objects(
        make_config(
            OBSERVED, agent="argocd", cluster=EXISTING, services={"observability": {"scrapeControlPlane": True}}
        )
    )
    system = {o["metadata"]["name"] for o in objects if namespace_of(o) == "kube-system"}
    assert {"kube-prometheus-stack-kube-controller-manager", "kube-prometheus-stack-kube-scheduler"} <= system
    groups = {g["name"] for o in objects if o["kind"] == "PrometheusRule" for g in o["spec"]["groups"]}
    assert {"etcd", "kubernetes-system-controller-manager", "kubernetes-system-scheduler"} <= groups


def test_eks_refuses_control_plane_scraping():
    with pytest.raises(ConfigError) as caught:
        make_config(OBSERVED, agent="argocd", cluster=EKS, services={"observability": {"scrapeControlPlane": True}})
    assert any("scrapeControlPlane" in problem.message for problem in caught.value.problems)


@pytest.mark.parametrize("cluster", [EKS, EXISTING], ids=["eks", "existing"])
def test_the_platform_project_permits_every_namespace_the_stack_renders_into(cluster):
    config = make_config(OBSERVED, agent="argocd", cluster=cluster)
    project = platform_project(config, config.gitops)["spec"]
    permitted = {destination["namespace"] for destination in project["destinations"]}
    rendered = {o["metadata"]["namespace"] for o in prometheus_stack_objects(config) if "namespace" in o["metadata"]}
    assert rendered == {"monitoring", "kube-system"} and rendered <= permitted
    without = make_config(OBSERVED, agent="argocd", cluster=cluster, services={"observability": {"enabled": False}})
    assert "kube-system" not in {
        d["namespace"] for d in platform_project(without, without.gitops)["spec"]["destinations"]
    }


def argocd_objects(gitops: dict | None = None, notifications: bool = True) -> dict[str, dict]:
    observability = {"notifications": {"kind": "slack", "webhookUrlEnv": "SLACK"}} if notifications else {}
    config = make_config(
        OBSERVED, agent="argocd", cluster=EXISTING, services={"observability": observability}, gitops=gitops or {}
    )
    objects = render(ARGO_CD, builders.chart_values(config, config.gitops), builders.RELEASE_NAME, "argocd")
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == "ConfigMap"}


def test_argocd_urls_follow_the_configured_url():
    configmaps = argocd_objects({"url": "https://cd.acme.example:8443"})
    assert configmaps["argocd-cm"]["data"]["url"] == "https://cd.acme.example:8443"
    context = yaml.safe_load(configmaps["argocd-notifications-cm"]["data"]["context"])
    assert context["argocdUrl"] == "https://cd.acme.example:8443"
    config = make_config(OBSERVED, agent="argocd", cluster=EXISTING, gitops={"url": "https://cd.acme.example:8443"})
    assert builders.chart_values(config, config.gitops)["global"]["domain"] == "cd.acme.example:8443"


@pytest.mark.parametrize("notifications", [True, False])
def test_without_a_url_nothing_names_the_charts_example_domain(notifications):
    configmaps = argocd_objects(notifications=notifications)
    assert "example.com" not in yaml.safe_dump(list(configmaps.values()))
    assert configmaps["argocd-cm"]["data"]["url"] == "https://"  # the chart's preset with an empty domain: no host
    assert ("argocd-notifications-cm" in configmaps) is notifications


def test_kyverno_policies_use_the_webhook_failure_policy_of_the_charts_crd():
    crds = render(KYVERNO, kyverno_chart(PolicyConfig()).values, "kyverno", "kyverno")
    crd = next(o for o in crds if o["metadata"]["name"] == "clusterpolicies.kyverno.io")
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v1")
    spec = version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
    assert "Deprecated" in spec["failurePolicy"]["description"]
    assert spec["webhookConfiguration"]["properties"]["failurePolicy"]["enum"] == ["Ignore", "Fail"]
    for environment, expected in (("Audit", "Ignore"), ("Enforce", "Fail")):
        config = make_config(cluster=EXISTING, services={"policy": {"mode": environment}})
        files = {m.path: m.content for m in render_config_repo(config)}
        policies = [
            o for o in load_documents(files["infrastructure/policies/policies.yaml"]) if o["kind"] == "ClusterPolicy"
        ]
        assert policies and all("failurePolicy" not in p["spec"] for p in policies)
        assert all(p["spec"]["webhookConfiguration"] == {"failurePolicy": "Ignore"} for p in policies)
        patches = yaml.safe_dump(
            yaml.safe_load(files["infrastructure/dev/configs/kustomization.yaml"]).get("patches", [])
        )
        assert ("/spec/webhookConfiguration/failurePolicy" in patches) is (expected == "Fail")
        assert "/spec/failurePolicy" not in patches


def test_flux_alerts_carry_the_summary_as_event_metadata():
    config = make_config(
        cluster=EXISTING, services={"observability": {"notifications": {"kind": "slack", "webhookUrlEnv": "SLACK"}}}
    )
    objects = [o for m in render_config_repo(config) if m.path.endswith(".yaml") for o in load_documents(m.content)]
    alerts = [o for o in objects if o.get("kind") == "Alert"]
    assert alerts
    for alert in alerts:
        assert "summary" not in alert["spec"]  # deprecated in notification-controller 1.7
        assert alert["spec"]["eventMetadata"]["summary"] == "cluster ${PLATFORM_CLUSTER_NAME} (${PLATFORM_ENVIRONMENT})"
        assert validate_object(alert) == []
