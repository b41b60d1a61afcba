"""The platform services in the seeded repo of the shipped stacks, and a scan for leaked secrets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from platform_kit.offline.engine import RANDOM_PASSWORD_TYPE, fake_password
from platform_kit.offline.preview import run_stack, write_render
from platform_kit.validation.manifests import kustomize_build, validate_tree

REPO_ROOT = Path(__file__).resolve().parent.parent
SERVICE_STACKS = ("dev", "staging", "prod")
FLUX_STACKS = ("dev", "prod")  # staging runs Argo CD
TOKEN = "ghp-test-token-5c1d0e"
SLACK = "https://hooks.slack.example/services/T000/B000/secret-path-77aa"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, monkeypatch_module) -> dict[str, tuple[Path, object]]:
    monkeypatch_module.setenv("PLATFORM_GIT_TOKEN", TOKEN)
    monkeypatch_module.setenv("PLATFORM_SLACK_WEBHOOK_URL", SLACK)
    out = {}
    for stack in SERVICE_STACKS:
        run = run_stack(REPO_ROOT, stack)
        target = tmp_path_factory.mktemp(stack)
        write_render(run, target)
        out[stack] = (target, run)
    return out


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


def build(rendered, stack: str, stage: str) -> list[dict]:
    return kustomize_build(rendered[stack][0] / "config-repo" / "infrastructure" / stack / stage)


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_every_object_validates_and_builds(rendered, stack):
    assert validate_tree(rendered[stack][0] / "config-repo") == []


@pytest.mark.parametrize("stack", FLUX_STACKS)
def test_all_three_services_are_seeded_in_order(rendered, stack):
    repo = rendered[stack][0] / "config-repo"
    stages = list(yaml.safe_load_all((repo / f"clusters/{stack}/infrastructure.yaml").read_text()))
    chain = [(s["metadata"]["name"], [d["name"] for d in s["spec"].get("dependsOn", [])]) for s in stages]
    assert chain == [
        ("infra-controllers", []),
        ("infra-configs", ["infra-controllers"]),
        ("infra-observability", ["infra-configs"]),
        ("infra-monitoring", ["infra-observability"]),
    ]
    releases = {d["metadata"]["name"] for d in build(rendered, stack, "controllers") if d["kind"] == "HelmRelease"}
    addons = {"karpenter", "aws-load-balancer-controller", "metrics-server"}  # the stacks' capacity and add-ons
    addons |= {"external-dns", "cert-manager"} if stack == "prod" else set()
    assert releases == {"external-secrets", "kyverno"} | addons
    configs = {(d["kind"], d["metadata"]["name"]) for d in build(rendered, stack, "configs")}
    assert {("ClusterSecretStore", "aws-secrets-manager"), ("ExternalSecret", "grafana-admin")} <= configs
    assert ("ClusterPolicy", "pod-security-standards") in configs
    observability = build(rendered, stack, "observability")
    prometheus = next(d for d in observability if d["kind"] == "HelmRelease")
    assert prometheus["spec"]["values"]["grafana"]["admin"]["existingSecret"] == "grafana-admin"
    kinds = {d["kind"] for d in build(rendered, stack, "monitoring")}
    assert {"PrometheusRule", "PodMonitor", "ConfigMap"} <= kinds


def test_argocd_installs_the_same_services_in_waves(rendered):
    repo = rendered["staging"][0] / "config-repo"
    applications = list(yaml.safe_load_all((repo / "clusters/staging/infrastructure.yaml").read_text()))
    assert {a["kind"] for a in applications} == {"Application"}
    waves = {
        a["metadata"]["name"]: int(a["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]) for a in applications
    }
    assert waves == {
        "infra-controllers": -1,
        "external-secrets": -1,
        "kyverno": -1,
        "karpenter": -1,
        "aws-load-balancer-controller": -1,
        "external-dns": -1,
        "cert-manager": -1,
        "metrics-server": -1,
        "infra-configs": 0,
        "kube-prometheus-stack": 1,
        "infra-monitoring": 2,
    }
    apps = next(yaml.safe_load_all((repo / "clusters/staging/apps.yaml").read_text()))
    assert int(apps["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]) > max(waves.values())
    sources = {a["metadata"]["name"]: a["spec"]["source"] for a in applications}
    assert (
        sources["kube-prometheus-stack"]["helm"]["valuesObject"]["grafana"]["admin"]["existingSecret"]
        == "grafana-admin"
    )
    patches = "".join(p["patch"] for p in sources["infra-configs"]["kustomize"]["patches"])
    assert "${PLATFORM_SECRETS_REGION}" in patches and "${PLATFORM_SECRETS_PREFIX}" in patches


def test_policy_audits_in_dev_and_enforces_in_prod(rendered):
    def actions(stack):
        policies = [d for d in build(rendered, stack, "configs") if d["kind"] == "ClusterPolicy"]
        return {rule["validate"]["failureAction"] for p in policies for rule in p["spec"]["rules"]}

    assert actions("dev") == {"Audit"}
    assert actions("staging") == {"Audit"}
    assert actions("prod") == {"Enforce"}


def test_prometheus_is_sized_per_environment(rendered):
    def prometheus_spec(stack):
        release = next(d for d in build(rendered, stack, "observability") if d["kind"] == "HelmRelease")
        return release["spec"]["values"]["prometheus"]["prometheusSpec"]

    assert prometheus_spec("dev")["retention"] == "7d"
    assert prometheus_spec("prod")["retention"] == "30d"
    assert prometheus_spec("prod")["replicas"] == 2
    claim = prometheus_spec("prod")["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["resources"]["requests"]["storage"] == "200Gi"


def test_eso_identity_annotation_only_with_irsa(rendered):
    release = next(d for d in build(rendered, "dev", "controllers") if d["metadata"]["name"] == "external-secrets")
    assert "annotations" not in release["spec"]["values"]["serviceAccount"]  # Pod Identity: no annotation
    repo = rendered["staging"][0] / "config-repo"
    eso = next(
        a
        for a in yaml.safe_load_all((repo / "clusters/staging/infrastructure.yaml").read_text())
        if a["metadata"]["name"] == "external-secrets"
    )
    values = eso["spec"]["source"]["helm"]["valuesObject"]
    # A placeholder in Git; the root Application's patches fill it (tests/test_argocd_root.py).
    assert values["serviceAccount"]["annotations"] == {"eks.amazonaws.com/role-arn": "${PLATFORM_ESO_ROLE_ARN}"}


def test_infrastructure_values_come_from_the_contract(rendered):
    for stack in SERVICE_STACKS:
        repo = rendered[stack][0] / "config-repo"
        text = "".join(p.read_text() for p in repo.rglob("*") if p.is_file())
        assert "eu-west-1" not in text
        assert not re.search(rf"(?<!#)platform-{stack}\b", text)  # the cluster name (not the Slack channel)
        assert "123456789012" not in text and "111122223333" not in text
        store = next(d for d in build(rendered, stack, "configs") if d["kind"] == "ClusterSecretStore")
        assert store["spec"]["provider"]["aws"]["region"] == "${PLATFORM_SECRETS_REGION}"
        assert "auth" not in store["spec"]["provider"]["aws"]  # workload identity on EKS
        secret = next(d for d in build(rendered, stack, "configs") if d["kind"] == "ExternalSecret")
        assert secret["spec"]["data"][0]["remoteRef"]["key"] == "${PLATFORM_SECRETS_PREFIX}grafana-admin"


@pytest.mark.parametrize("stack", SERVICE_STACKS)
def test_no_secret_value_in_plan_or_repo(rendered, stack):
    target, run = rendered[stack]
    generated = [
        fake_password(r.name, int(r.inputs.get("length") or 16))
        for r in run.registrations
        if r.type == RANDOM_PASSWORD_TYPE
    ]
    assert len(generated) >= 2  # Grafana admin and the webhook secret
    secrets = [TOKEN, SLACK, *generated]
    plan = (target / "plan.json").read_text()
    repo = "".join(p.read_text() for p in (target / "config-repo").rglob("*") if p.is_file())
    for value in secrets:
        assert value not in plan
        assert value not in repo
    # ...and yet Pulumi does carry them, as secrets: the masks are where the values went.
    masked = json.loads(plan)
    marked = [r for r in masked["resources"] if "[secret]" in json.dumps(r["inputs"])]
    agent = "argocd" if stack == "staging" else "flux"
    assert {r["name"] for r in marked} >= {f"{stack}-{agent}-notifications", f"{stack}-secrets-grafana-admin"}
