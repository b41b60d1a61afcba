"""The rendered config repo: layout, contract variables, schemas and kustomize builds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from factories import make_config

from platform_kit.config import load_stack_file
from platform_kit.config.metadata import METADATA_CONFIGMAP, VARIABLES
from platform_kit.repo import render_config_repo
from platform_kit.repo.flux.objects import flux_instance, root_git_repository, root_kustomization
from platform_kit.validation.manifests import kustomize_build, validate_object, validate_tree

REPO_ROOT = Path(__file__).resolve().parent.parent


RENDERED = {
    "cluster.name": "dev-cluster-77",
    "cluster.kubeconfig.path": "k",
    "repo.url": "https://git.example.com/acme/platform-config.git",
}
"""Overrides of these tests; another environment names its cluster `<env>-cluster-77`."""


@pytest.fixture(scope="module")
def local_tree(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("config-repo")
    for manifest in render_config_repo(load_stack_file(REPO_ROOT, "local")):
        target = root / manifest.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(manifest.content)
    return root


def test_layout_of_the_local_environment():
    paths = {
        m.path
        for m in render_config_repo(make_config(RENDERED, {"cluster.name": "local-cluster-77"}, environment="local"))
    }
    assert {
        "README.md",
        "clusters/local/kustomization.yaml",
        "clusters/local/flux-system/flux-instance.yaml",
        "clusters/local/flux-system/flux-operator.yaml",
        "clusters/local/infrastructure.yaml",
        "clusters/local/apps.yaml",
        "infrastructure/controllers/kustomization.yaml",
        "infrastructure/configs/kustomization.yaml",
        "apps/base/kustomization.yaml",
        "apps/local/kustomization.yaml",
        "apps/README.md",
        "infrastructure/README.md",
        "clusters/local/README.md",
    } <= paths


def test_render_is_deterministic_and_sorted():
    first = render_config_repo(make_config(RENDERED))
    assert first == render_config_repo(make_config(RENDERED))
    assert [m.path for m in first] == sorted(m.path for m in first)


def test_environments_share_only_the_shared_directories():
    dev = {m.path: m.content for m in render_config_repo(make_config(RENDERED))}
    prod = {
        m.path: m.content
        for m in render_config_repo(make_config(RENDERED, {"cluster.name": "prod-cluster-77"}, environment="prod"))
    }
    shared = set(dev) & set(prod)
    assert all(not p.startswith(("clusters/", "apps/dev", "apps/prod")) for p in shared)
    # A shared file renders identically, so whichever environment seeds first, the others agree.
    assert all(dev[p] == prod[p] for p in shared)


def test_custom_environment_path():
    paths = {m.path for m in render_config_repo(make_config(RENDERED, repo={"path": "fleet/eu/dev"}))}
    assert "fleet/eu/dev/kustomization.yaml" in paths
    kustomizations = yaml.safe_load(
        next(
            m.content
            for m in render_config_repo(make_config(RENDERED, repo={"path": "fleet/eu/dev"}))
            if m.path == "fleet/eu/dev/apps.yaml"
        )
    )
    assert kustomizations["spec"]["path"] == "./apps/dev"


def test_no_infrastructure_literals_in_the_repo():
    config = make_config(RENDERED, {"cluster.name": "staging-cluster-77"}, environment="staging")
    text = "".join(m.content for m in render_config_repo(config))
    assert "staging-cluster-77" not in text
    assert "git.example.com" not in text
    assert "${PLATFORM_CLUSTER_NAME}" in text
    assert "${PLATFORM_ENVIRONMENT}" in text
    used = {name for name in VARIABLES.values() if "${" + name + "}" in text}
    assert used <= set(VARIABLES.values())


def test_every_kustomization_substitutes_from_the_contract(local_tree):
    docs = []
    for name in ("infrastructure.yaml", "apps.yaml"):
        docs += list(yaml.safe_load_all((local_tree / "clusters/local" / name).read_text()))
    assert {d["metadata"]["name"] for d in docs} == {"infra-controllers", "infra-configs", "apps"}  # no services
    for doc in docs:
        assert doc["spec"]["postBuild"]["substituteFrom"] == [{"kind": "ConfigMap", "name": METADATA_CONFIGMAP}]
        assert doc["spec"]["prune"] is True
        assert doc["spec"]["sourceRef"] == {"kind": "GitRepository", "name": "flux-system"}


def test_order_is_expressed_with_depends_on(local_tree):
    docs = {
        d["metadata"]["name"]: d
        for d in yaml.safe_load_all((local_tree / "clusters/local/infrastructure.yaml").read_text())
    }
    docs |= {
        d["metadata"]["name"]: d for d in yaml.safe_load_all((local_tree / "clusters/local/apps.yaml").read_text())
    }
    assert "dependsOn" not in docs["infra-controllers"]["spec"]
    assert docs["infra-configs"]["spec"]["dependsOn"] == [{"name": "infra-controllers"}]
    assert docs["apps"]["spec"]["dependsOn"] == [{"name": "infra-configs"}]


def test_flux_manages_itself_but_never_prunes_itself(local_tree):
    built = kustomize_build(local_tree / "clusters/local")
    kinds = {(d["kind"], d["metadata"]["name"]) for d in built}
    assert ("FluxInstance", "flux") in kinds
    assert ("HelmRelease", "flux-operator") in kinds
    for doc in built:
        if doc["kind"] in ("FluxInstance", "HelmRelease", "OCIRepository"):
            assert doc["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/prune"] == "disabled"


def test_every_object_validates_and_every_kustomization_builds(local_tree):
    kustomization_dirs = [p.parent for p in local_tree.rglob("kustomization.yaml")]
    assert len(kustomization_dirs) == 8
    assert validate_tree(local_tree) == []


def test_validation_would_catch_a_broken_seed(local_tree, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "kustomization.yaml").write_text("resources: [bad.yaml]\n")
    text = (local_tree / "clusters/local/apps.yaml").read_text().replace("sourceRef:", "sourceReff:")
    (broken / "bad.yaml").write_text(text)
    errors = validate_tree(broken)
    assert any("sourceReff" in e or "sourceRef" in e for e in errors)


def test_objects_pulumi_applies_validate_too():
    config = make_config(RENDERED)
    for body in (
        flux_instance(config.gitops),
        root_git_repository(config, config.gitops),
        root_kustomization(config, config.gitops),
    ):
        assert validate_object(body) == []


def test_root_sync_prunes_on_delete():
    config = make_config(RENDERED)
    root = root_kustomization(config, config.gitops)
    assert root["spec"]["prune"] is True
    assert root["spec"]["deletionPolicy"] == "Delete"
    assert root["spec"]["path"] == "./clusters/dev"


def test_git_repository_references_credentials_only_when_configured():
    plain = make_config(RENDERED)
    assert "secretRef" not in root_git_repository(plain, plain.gitops)["spec"]
    with_token = make_config(RENDERED, repo={"credentials": {"kind": "token", "tokenEnv": "GIT_TOKEN"}})
    assert root_git_repository(with_token, with_token.gitops)["spec"]["secretRef"] == {"name": "flux-system"}


def test_seeded_yaml_carries_the_ownership_header():
    for manifest in render_config_repo(make_config(RENDERED)):
        if manifest.path.endswith(".yaml"):
            assert manifest.content.startswith("# Seeded by platform-kit")
