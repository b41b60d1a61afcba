"""The Argo CD root as Argo CD applies it: the root's patches over `clusters/<env>/`, built by real kustomize.

Both Argo CD stacks are rendered offline; the root Application is taken from what Pulumi
registers, its `spec.source.kustomize.patches` are added to the rendered `clusters/<env>/`
kustomization (as Argo CD does) and `kubectl kustomize` builds it. Then each layer
Application's own source is built the same way.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from platform_kit.config import PlatformMetadata
from platform_kit.offline.preview import run_stack, write_render
from platform_kit.repo.argocd.objects import FINALIZER, KEEP_ON_DELETE, SYNC_WAVE
from platform_kit.repo.argocd.root import root_patches
from platform_kit.validation.manifests import kustomize_build, validate_object

REPO_ROOT = Path(__file__).resolve().parent.parent
STACKS = ("staging", "local-argocd")  # all services on EKS; no services on an existing cluster
ARN = re.compile(r"^arn:aws:iam::\d{12}:role/\S+$")


class Rendered:
    """One stack's render: the config repo, the registered root Application and the cluster Secret."""

    def __init__(self, stack: str, target: Path):
        run = run_stack(REPO_ROOT, stack)
        write_render(run, target)
        by_name = {r.name: r for r in run.registrations}
        self.stack, self.config, self.repo = stack, run.config, target / "config-repo"
        self.root = by_name[f"{stack}-argocd-root-sync"].inputs
        self.annotations = by_name[f"{stack}-argocd-metadata"].inputs["metadata"]["annotations"]
        self.project = by_name[f"{stack}-argocd-platform-project"].inputs["spec"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Rendered]:
    return {stack: Rendered(stack, tmp_path_factory.mktemp(stack)) for stack in STACKS}


def with_patches(directory: Path, patches: list[dict]) -> Path:
    """Add `patches` to the kustomization in `directory`, as Argo CD does with `spec.source.kustomize.patches`."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    kustomization["patches"] = [*kustomization.get("patches", []), *patches]
    (directory / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    return directory


def applied_layers(rendered: Rendered, tmp_path: Path) -> dict[str, dict]:
    """What the root applies: `clusters/<env>/` with the root's patches, by object name."""
    work = tmp_path / "root"
    shutil.copytree(rendered.repo / f"clusters/{rendered.stack}", work)
    with_patches(work, rendered.root["spec"]["source"]["kustomize"]["patches"])
    return {obj["metadata"]["name"]: obj for obj in kustomize_build(work)}


def without_notification_templates(app: dict) -> dict:
    """`app` without Argo CD's notification templates (`{{.app...}}`, filled by the notifications controller)."""
    copy = json.loads(json.dumps(app))
    copy["spec"]["source"].get("helm", {}).get("valuesObject", {}).pop("notifications", None)
    return copy


def wave(obj: dict) -> int:
    return int(obj["metadata"]["annotations"][SYNC_WAVE])


@pytest.mark.parametrize("stack", STACKS)
def test_every_layer_application_is_concrete_once_the_root_has_patched_it(rendered, stack, tmp_path):
    env = rendered[stack]
    layers = applied_layers(env, tmp_path)
    applications = {name: obj for name, obj in layers.items() if obj["kind"] == "Application"}
    assert {"argocd", "projects", "infra-controllers", "infra-configs", "apps"} <= set(applications)
    repo_url, branch = env.annotations["platform-kit.io/repo-url"], env.annotations["platform-kit.io/repo-branch"]
    assert repo_url == env.config.repo.cluster_url and branch == env.config.repo.branch
    for name, app in applications.items():
        text = yaml.safe_dump(without_notification_templates(app))
        assert "${PLATFORM_" not in text and "{{" not in text, name  # Argo CD resolves neither in an Application
        assert validate_object(app) == [], name
        source = app["spec"]["source"]
        if "path" in source:  # the config repo: the cluster Secret's coordinates, filled by the root
            assert (source["repoURL"], source["targetRevision"]) == (repo_url, branch), name
        if name == "argocd":  # Argo CD outlives the root's cascade; Pulumi removes it last
            assert app["metadata"]["annotations"] | KEEP_ON_DELETE == app["metadata"]["annotations"]
            assert "finalizers" not in app["metadata"]
        else:  # deleting the root deletes each layer, and each layer what it applied
            assert app["metadata"]["finalizers"] == [FINALIZER], name
    # The team ApplicationSet keeps its Go templates: the ApplicationSet controller resolves them.
    assert layers["teams"]["kind"] == "ApplicationSet" and "{{" in yaml.safe_dump(layers["teams"]["spec"])
    assert set(layers) == set(applications) | {"teams"}


def test_chart_values_from_the_contract_are_filled(rendered, tmp_path):
    env = rendered["staging"]
    layers = applied_layers(env, tmp_path)
    values = layers["external-secrets"]["spec"]["source"]["helm"]["valuesObject"]
    role = values["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"]
    assert ARN.match(role) and role == env.annotations["platform-kit.io/eso-role-arn"]
    # A chart without placeholders is left exactly as seeded.
    seeded = yaml.safe_load_all((env.repo / "clusters/staging/infrastructure.yaml").read_text())
    assert next(a for a in seeded if a["metadata"]["name"] == "kyverno") == layers["kyverno"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_stage_directory_builds_without_placeholders(rendered, stack, tmp_path):
    env = rendered[stack]
    layers = applied_layers(env, tmp_path)
    stage_apps = {
        name: app
        for name, app in layers.items()
        if app["kind"] == "Application" and app["spec"]["source"].get("path", "").startswith("infrastructure/")
    }
    assert {"infra-controllers", "infra-configs"} <= set(stage_apps)
    repo = tmp_path / "repo"
    shutil.copytree(env.repo, repo)
    for name, app in stage_apps.items():
        source = app["spec"]["source"]
        built = kustomize_build(with_patches(repo / source["path"], source.get("kustomize", {}).get("patches", [])))
        assert "${PLATFORM_" not in yaml.safe_dump_all(built), name
        if name == "infra-configs":
            info = next(
                obj for obj in built if obj["kind"] == "ConfigMap" and obj["metadata"]["name"] == "platform-info"
            )
            assert info["data"]["clusterName"] == env.annotations["platform-kit.io/cluster-name"]
            assert info["data"]["environment"] == stack
    if stack == "staging":
        configs = kustomize_build(repo / "infrastructure/staging/configs")
        store = next(obj for obj in configs if obj["kind"] == "ClusterSecretStore")
        assert store["spec"]["provider"]["aws"]["region"] == env.annotations["platform-kit.io/secrets-region"] != "none"
        secret = next(obj for obj in configs if obj["kind"] == "ExternalSecret")
        prefix = env.annotations["platform-kit.io/secrets-prefix"]
        assert secret["spec"]["data"][0]["remoteRef"]["key"] == f"{prefix}grafana-admin"


def test_waves_order_controllers_then_configs_then_observability_then_monitoring_then_apps(rendered, tmp_path):
    layers = applied_layers(rendered["staging"], tmp_path)
    waves = {name: wave(obj) for name, obj in layers.items()}
    controllers = {waves[name] for name in ("infra-controllers", "external-secrets", "kyverno")}
    assert len(controllers) == 1
    order = [
        waves["argocd"],
        waves["projects"],
        controllers.pop(),
        waves["infra-configs"],
        waves["kube-prometheus-stack"],
        waves["infra-monitoring"],
        waves["apps"],
    ]
    assert order == sorted(set(order)), waves  # strictly increasing
    assert waves["teams"] == waves["apps"]
    local = {name: wave(obj) for name, obj in applied_layers(rendered["local-argocd"], tmp_path / "local").items()}
    assert local["argocd"] < local["projects"] < local["infra-controllers"] < local["infra-configs"] < local["apps"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_platform_project_permits_every_layer(rendered, stack, tmp_path):
    env = rendered[stack]
    namespaces = {destination["namespace"] for destination in env.project["destinations"]}
    for name, app in applied_layers(env, tmp_path).items():
        if app["kind"] == "Application":
            assert app["spec"]["project"] == "platform", name
            assert app["spec"]["destination"]["namespace"] in namespaces, name
            assert app["spec"]["source"]["repoURL"] in env.project["sourceRepos"], name


def test_root_patches_are_a_pure_function_of_the_contract(rendered):
    env = rendered["staging"]
    patches = env.root["spec"]["source"]["kustomize"]["patches"]
    variables = {
        "PLATFORM_" + key.removeprefix("platform-kit.io/").replace("-", "_").upper(): value
        for key, value in env.annotations.items()
    }
    contract = PlatformMetadata.from_variables(variables)
    assert root_patches(env.config, contract) == patches
    moved = root_patches(env.config, contract.model_copy(update={"repo_branch": "release-7"}))
    branch = variables["PLATFORM_REPO_BRANCH"]
    assert moved != patches
    assert json.dumps(moved, sort_keys=True).replace("release-7", branch) == json.dumps(patches, sort_keys=True)


def test_a_layer_removed_from_git_leaves_the_root_buildable(rendered, tmp_path):
    env = rendered["staging"]
    work = tmp_path / "root"
    shutil.copytree(env.repo / "clusters/staging", work)
    kustomization = yaml.safe_load((work / "kustomization.yaml").read_text())
    kustomization["resources"].remove("apps.yaml")
    (work / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    built = kustomize_build(with_patches(work, env.root["spec"]["source"]["kustomize"]["patches"]))
    assert "apps" not in {obj["metadata"]["name"] for obj in built}
    assert "${PLATFORM_" not in yaml.safe_dump_all(built)
