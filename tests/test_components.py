"""Components on recorded inputs: secrecy, ownership, ordering and wiring."""

from __future__ import annotations

import os

import pytest
from factories import make_config, make_contract

from platform_kit.cluster import ExistingCluster, ExistingClusterArgs
from platform_kit.gitops import AgentArgs, FluxAgent
from platform_kit.gitops.seed import seeded_files
from platform_kit.platform import Platform, PlatformArgs
from platform_kit.publish import GitAuth
from platform_kit.repo import render_config_repo
from platform_kit.repo.flux.objects import flux_instance

K8S_PROVIDER = "pulumi:providers:kubernetes"
KUSTOMIZATION = "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization"
GIT_REPOSITORY = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository"
FLUX_INSTANCE = "kubernetes:fluxcd.controlplane.io/v1:FluxInstance"
SEED_COMMIT = "pulumi-python:dynamic/platform-kit:SeedCommit"
SECRET = "kubernetes:core/v1:Secret"


KIND_DEV = {"cluster.kubeconfig.context": "kind-dev"}
"""Overrides of most tests here: the kubeconfig's context."""


def test_kubeconfig_path_is_secret_and_expanded(pulumi_recorder):
    cluster = ExistingCluster("c", ExistingClusterArgs(config=make_config(KIND_DEV).cluster))
    provider = pulumi_recorder.get(K8S_PROVIDER, "c-k8s")
    assert provider.is_secret("kubeconfig")
    assert provider.inputs["kubeconfig"] == os.path.expanduser("~/.kube/config")
    assert provider.inputs["context"] == "kind-dev"
    value, secret = pulumi_recorder.resolve(cluster.handle.kubeconfig)
    assert secret and value.endswith(".kube/config")
    assert cluster.handle.kind == "existing"


def test_kubeconfig_content_is_secret(pulumi_recorder):
    content = "apiVersion: v1\nkind: Config\n# kubeconfig-body-42\n"
    config = make_config({"cluster.kubeconfig": {"content": content}})
    ExistingCluster("c", ExistingClusterArgs(config=config.cluster))
    provider = pulumi_recorder.get(K8S_PROVIDER, "c-k8s")
    assert provider.is_secret("kubeconfig")
    assert provider.inputs["kubeconfig"] == content
    assert provider.masked_inputs["kubeconfig"] == "[secret]"


def flux(pulumi_recorder, auth=None, credentials=None):
    config = make_config(KIND_DEV, repo={"credentials": credentials} if credentials else {})
    agent = FluxAgent(
        "f",
        AgentArgs(config=config, metadata=make_contract(config), auth=auth),
    )
    return config, agent


def test_git_token_becomes_a_secret_flux_reads(pulumi_recorder):
    flux(
        pulumi_recorder,
        auth=GitAuth(username="git", token="tok-998877"),
        credentials={"kind": "token", "tokenEnv": "T"},
    )
    secret = pulumi_recorder.get(SECRET, "f-git-credentials")
    assert secret.is_secret("stringData")
    assert secret.inputs["stringData"] == {"username": "git", "password": "tok-998877"}
    assert "tok-998877" not in repr(secret.masked_inputs)
    source = pulumi_recorder.get(GIT_REPOSITORY, "f-source")
    assert source.inputs["spec"]["secretRef"] == {"name": "flux-system"}
    assert secret.urn in source.dependencies


def test_ssh_key_becomes_identity_and_known_hosts(pulumi_recorder):
    key = "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n"
    flux(
        pulumi_recorder,
        auth=GitAuth(ssh_private_key=key, known_hosts="git.example.com ssh-ed25519 AAAA"),
        credentials={"kind": "ssh", "privateKeyEnv": "K", "knownHosts": "git.example.com ssh-ed25519 AAAA"},
    )
    secret = pulumi_recorder.get(SECRET, "f-git-credentials")
    assert secret.is_secret("stringData")
    assert secret.inputs["stringData"] == {"identity": key, "known_hosts": "git.example.com ssh-ed25519 AAAA"}


def test_no_credentials_no_secret(pulumi_recorder):
    flux(pulumi_recorder)
    assert [r.name for r in pulumi_recorder.find(SECRET)] == ["f-webhook-token"]  # the Receiver's, not Git's
    assert "secretRef" not in pulumi_recorder.inputs(GIT_REPOSITORY, "f-source")["spec"]


def test_pulumi_applies_exactly_the_flux_instance_git_holds(pulumi_recorder):
    config, _ = flux(pulumi_recorder)
    instance = pulumi_recorder.inputs(FLUX_INSTANCE, "f-instance")
    expected = flux_instance(config.gitops)
    assert instance["spec"] == expected["spec"]
    assert instance["metadata"]["name"] == "flux"
    assert instance["metadata"]["annotations"]["pulumi.com/waitFor"] == "condition=Ready"
    seeded = next(m.content for m in render_config_repo(config) if m.path.endswith("flux-instance.yaml"))
    assert f"version: {config.gitops.version}" in seeded


def test_operator_release_is_pinned(pulumi_recorder):
    config, _ = flux(pulumi_recorder)
    release = pulumi_recorder.inputs("kubernetes:helm.sh/v3:Release", "f-operator")
    assert release["chart"] == "oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator"
    assert release["version"] == config.gitops.operator_chart_version
    assert release["namespace"] == "flux-system"


def test_root_sync_waits_for_ready_and_is_deleted_first(pulumi_recorder):
    flux(pulumi_recorder, auth=GitAuth(username="git", token="t"), credentials={"kind": "token", "tokenEnv": "T"})
    root = pulumi_recorder.get(KUSTOMIZATION, "f-root-sync")
    assert root.inputs["metadata"]["annotations"]["pulumi.com/waitFor"] == "condition=Ready"
    assert root.inputs["spec"]["prune"] is True
    # Everything else Flux-related is a dependency, so `pulumi destroy` removes the root sync
    # first and Flux prunes what it applied while it is still running.
    by_name = {r.name: r.urn for r in pulumi_recorder.registrations}
    for dependency in ("f-source", "f-metadata", "f-instance", "f-git-credentials"):
        assert by_name[dependency] in root.dependencies
    instance = pulumi_recorder.get(FLUX_INSTANCE, "f-instance")
    assert by_name["f-operator"] in instance.dependencies


def test_metadata_configmap_carries_the_contract(pulumi_recorder):
    flux(pulumi_recorder)
    configmap = pulumi_recorder.inputs("kubernetes:core/v1:ConfigMap", "f-metadata")
    assert configmap["metadata"] == {
        "name": "platform-metadata",
        "namespace": "flux-system",
        "labels": {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "platform-kit"},
    }
    assert configmap["data"] == make_contract(make_config(KIND_DEV)).to_variables()
    assert configmap["data"]["PLATFORM_ENVIRONMENT"] == "dev"


def test_children_are_parented_and_prefixed(pulumi_recorder):
    flux(pulumi_recorder)
    component = pulumi_recorder.get("platform-kit:gitops:FluxAgent", "f")
    children = [r for r in pulumi_recorder.registrations if r.parent == component.urn]
    assert len(children) == 9  # no credentials: no Git Secret; webhook password, token Secret, Receiver
    assert all(child.name.startswith("f-") for child in children)


@pytest.fixture
def platform(pulumi_recorder):
    config = make_config(KIND_DEV, repo={"credentials": {"kind": "token", "tokenEnv": "T"}})
    built = Platform("dev", PlatformArgs(config=config, auth=GitAuth(username="git", token="tok-55")))
    return config, built


def test_platform_seeds_exactly_the_rendered_repo(platform, pulumi_recorder):
    config, _ = platform
    seed = pulumi_recorder.get(SEED_COMMIT, "dev-seed-commit")
    assert seeded_files(seed.inputs) == {m.path: m.content for m in render_config_repo(config)}
    assert seed.inputs["url"] == config.repo.url
    assert seed.inputs["branch"] == "main"
    assert seed.is_secret("auth")
    assert seed.inputs["auth"] == {"username": "git", "token": "tok-55"}


def test_platform_syncs_only_after_the_seed(platform, pulumi_recorder):
    seed = pulumi_recorder.get(SEED_COMMIT, "dev-seed-commit")
    assert seed.urn in pulumi_recorder.get(GIT_REPOSITORY, "dev-flux-source").dependencies
    assert seed.urn in pulumi_recorder.get(KUSTOMIZATION, "dev-flux-root-sync").dependencies


def test_every_kubernetes_resource_uses_the_cluster_provider(platform, pulumi_recorder):
    provider = pulumi_recorder.get(K8S_PROVIDER, "dev-cluster-k8s")
    in_cluster = [r for r in pulumi_recorder.registrations if r.type.startswith("kubernetes:")]
    assert len(in_cluster) == 9
    assert all(r.provider and r.provider.startswith(provider.urn + "::") for r in in_cluster)


def test_platform_metadata_output(platform, pulumi_recorder):
    config, built = platform
    metadata, secret = pulumi_recorder.resolve(built.metadata_variables)
    assert not secret
    assert metadata["PLATFORM_CLUSTER_NAME"] == "dev-1"
    assert metadata["PLATFORM_CLUSTER_KIND"] == "existing"
    assert metadata["PLATFORM_REPO_URL"] == "https://git.example.com/acme/config.git"
    assert metadata["PLATFORM_REPO_PATH"] == "clusters/dev"
    configmap = pulumi_recorder.inputs("kubernetes:core/v1:ConfigMap", "dev-flux-metadata")
    assert configmap["data"] == metadata


def test_no_secret_reaches_a_non_secret_input(platform, pulumi_recorder):
    for registration in pulumi_recorder.registrations:
        assert "tok-55" not in repr(registration.masked_inputs), registration.name
