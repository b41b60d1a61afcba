"""ArgoCdAgent on recorded inputs: ownership, secrecy, ordering, security defaults and wiring."""

from __future__ import annotations

import pytest
import yaml
from factories import make_config, make_contract

from platform_kit.config import PlatformMetadata
from platform_kit.config.metadata import VARIABLES, metadata_key
from platform_kit.gitops import AgentArgs
from platform_kit.gitops.argocd import ArgoCdAgent
from platform_kit.gitops.seed import seeded_files
from platform_kit.offline.engine import SECRET_MARKER, fake_password
from platform_kit.platform import Platform, PlatformArgs
from platform_kit.publish import GitAuth
from platform_kit.repo import render_config_repo
from platform_kit.repo.argocd.objects import WEBHOOK_SECRET_KEYS, chart_values
from platform_kit.repo.argocd.root import root_patches
from platform_kit.validation.manifests import validate_object

APPLICATION = "kubernetes:argoproj.io/v1alpha1:Application"
APP_PROJECT = "kubernetes:argoproj.io/v1alpha1:AppProject"
APP_PROJECT_PATCH = "kubernetes:argoproj.io/v1alpha1:AppProjectPatch"
RELEASE = "kubernetes:helm.sh/v3:Release"
SECRET = "kubernetes:core/v1:Secret"
SEED_COMMIT = "pulumi-python:dynamic/platform-kit:SeedCommit"
K8S_PROVIDER = "pulumi:providers:kubernetes"
REPO_URL = "https://git.example.com/acme/config.git"
TOKEN = "tok-ARGO-5521"
OIDC_SECRET = "oidc-SECRET-8812"
SSO = {"issuer": "https://id.example.com", "clientId": "argocd", "clientSecretEnv": "OIDC", "adminGroups": ["ops"]}
KNOWN_HOSTS = "git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample"


def contract(config) -> PlatformMetadata:
    """The contract of these tests: cluster `dev-1` in eu-central-1."""
    return make_contract(config, region="eu-central-1")


def agent(config, auth=None, sso_client_secret=None, sync_after=()):
    return ArgoCdAgent(
        "a",
        AgentArgs(
            config=config,
            metadata=contract(config),
            auth=auth,
            sync_after=list(sync_after),
            sso_client_secret=sso_client_secret,
        ),
    )


def body_of(registration) -> dict:
    """The Kubernetes object a registration applies (its inputs minus Pulumi-only keys)."""
    inputs = dict(registration.inputs)
    return {key: value for key, value in inputs.items() if key not in ("__provider",)}


# --- the install ---------------------------------------------------------------------


def test_chart_release_is_pinned_sized_and_left_to_argocd_afterwards(pulumi_recorder):
    config = make_config(agent="argocd", gitops={"controllerReplicas": 2, "chartVersion": "8.0.1"})
    agent(config)
    release = pulumi_recorder.get(RELEASE, "a-install")
    assert release.inputs["chart"] == "argo-cd"
    assert release.inputs["repositoryOpts"] == {"repo": "https://argoproj.github.io/argo-helm"}
    assert release.inputs["version"] == "8.0.1"
    assert release.inputs["namespace"] == "argocd"
    assert release.inputs["values"]["controller"]["replicas"] == 2
    assert release.inputs["timeout"] == 600
    assert set(release.ignore_changes) >= {"version", "values", "chart"}
    by_name = {r.name: r.urn for r in pulumi_recorder.registrations}
    assert by_name["a-settings"] in release.dependencies  # argocd-secret exists before the chart starts


def test_pulumi_installs_exactly_the_values_git_holds(pulumi_recorder):
    config = make_config(agent="argocd", gitops={"url": "https://cd.example.com", "sso": SSO})
    agent(config, sso_client_secret=OIDC_SECRET)
    values = pulumi_recorder.inputs(RELEASE, "a-install")["values"]
    assert values == chart_values(config, config.gitops)
    seeded = next(m.content for m in render_config_repo(config) if m.path == "clusters/dev/argocd.yaml")
    assert yaml.safe_load(seeded.split("---", 1)[1])["spec"]["source"]["helm"]["valuesObject"] == values


# --- security ------------------------------------------------------------------------


def test_admin_disabled_with_sso_and_client_secret_only_in_the_pulumi_owned_secret(pulumi_recorder):
    config = make_config(agent="argocd", gitops={"url": "https://cd.example.com", "sso": SSO})
    agent(config, sso_client_secret=OIDC_SECRET)
    values = pulumi_recorder.inputs(RELEASE, "a-install")["values"]
    assert values["configs"]["cm"]["admin.enabled"] == "false"
    assert yaml.safe_load(values["configs"]["cm"]["oidc.config"])["clientSecret"] == "$oidc.clientSecret"
    assert values["configs"]["rbac"]["policy.default"] == ""
    assert values["configs"]["rbac"]["policy.csv"] == "g, ops, role:admin\n"
    assert values["configs"]["secret"]["createSecret"] is False
    settings = pulumi_recorder.get(SECRET, "a-settings")
    assert settings.inputs["metadata"]["name"] == "argocd-secret"
    assert settings.is_secret("stringData")
    assert settings.inputs["stringData"]["oidc.clientSecret"] == OIDC_SECRET
    for registration in pulumi_recorder.registrations:
        assert OIDC_SECRET not in repr(registration.masked_inputs), registration.name


def test_admin_enabled_without_sso(pulumi_recorder):
    agent(make_config(agent="argocd"))
    values = pulumi_recorder.inputs(RELEASE, "a-install")["values"]
    assert values["configs"]["cm"]["admin.enabled"] == "true"
    assert "oidc.config" not in values["configs"]["cm"]
    assert "oidc.clientSecret" not in pulumi_recorder.inputs(SECRET, "a-settings")["stringData"]


def test_sso_without_a_resolved_client_secret_is_refused(pulumi_recorder):
    with pytest.raises(ValueError, match="OIDC client secret"):
        agent(make_config(agent="argocd", gitops={"url": "https://cd.example.com", "sso": SSO}))


def test_default_project_locked_and_platform_project_scoped(pulumi_recorder):
    agent(make_config(agent="argocd", gitops={"platformNamespaces": ["monitoring"]}))
    default = pulumi_recorder.get(APP_PROJECT_PATCH, "a-default-project").inputs
    assert default["metadata"]["name"] == "default"
    assert default["metadata"]["annotations"]["pulumi.com/patchForce"] == "true"
    assert default["spec"]["sourceRepos"] == [] and default["spec"]["destinations"] == []
    assert default["spec"]["namespaceResourceBlacklist"] == [{"group": "*", "kind": "*"}]
    platform = pulumi_recorder.get(APP_PROJECT, "a-platform-project").inputs
    assert platform["metadata"]["name"] == "platform"
    assert platform["spec"]["sourceRepos"] == [REPO_URL, "https://argoproj.github.io/argo-helm"]
    assert [d["namespace"] for d in platform["spec"]["destinations"]] == ["argocd", "platform-system", "monitoring"]


# --- repository credentials ----------------------------------------------------------


def test_token_becomes_a_secret_repository_secret(pulumi_recorder):
    agent(
        make_config(agent="argocd", repo={"credentials": {"kind": "token", "tokenEnv": "T"}}),
        auth=GitAuth(username="bot", token=TOKEN),
    )
    secret = pulumi_recorder.get(SECRET, "a-git-credentials")
    assert secret.inputs["metadata"]["labels"]["argocd.argoproj.io/secret-type"] == "repository"
    assert secret.is_secret("stringData")
    assert secret.inputs["stringData"] == {"type": "git", "url": REPO_URL, "username": "bot", "password": TOKEN}
    for registration in pulumi_recorder.registrations:
        assert TOKEN not in repr(registration.masked_inputs), registration.name


def test_ssh_key_becomes_ssh_private_key_and_known_hosts_go_to_the_chart(pulumi_recorder):
    key = "-----BEGIN OPENSSH PRIVATE KEY-----\nargo\n-----END OPENSSH PRIVATE KEY-----\n"
    url = "ssh://git@git.example.com/acme/config.git"
    config = make_config(
        agent="argocd",
        repo={"url": url, "credentials": {"kind": "ssh", "privateKeyEnv": "K", "knownHosts": KNOWN_HOSTS}},
    )
    agent(config, auth=GitAuth(ssh_private_key=key, known_hosts=KNOWN_HOSTS))
    secret = pulumi_recorder.get(SECRET, "a-git-credentials")
    assert secret.is_secret("stringData")
    assert secret.inputs["stringData"] == {"type": "git", "url": url, "sshPrivateKey": key}
    values = pulumi_recorder.inputs(RELEASE, "a-install")["values"]
    assert values["configs"]["ssh"]["extraHosts"] == KNOWN_HOSTS


def test_no_credentials_no_repository_secret(pulumi_recorder):
    agent(make_config(agent="argocd"))
    assert pulumi_recorder.find(SECRET, "a-git-credentials") == []
    assert sorted(r.name for r in pulumi_recorder.find(SECRET)) == ["a-metadata", "a-settings"]


# --- metadata contract -----------------------------------------------------------------


def test_cluster_secret_carries_every_metadata_field(pulumi_recorder):
    config = make_config(agent="argocd")
    agent(config)
    secret = pulumi_recorder.inputs(SECRET, "a-metadata")
    expected = contract(config)
    annotations = secret["metadata"]["annotations"]
    values = expected.model_dump()
    assert {field: annotations[metadata_key(field)] for field in VARIABLES} == {f: str(values[f]) for f in VARIABLES}
    labels = secret["metadata"]["labels"]
    assert labels["argocd.argoproj.io/secret-type"] == "cluster"
    assert labels["platform-kit.io/environment"] == "dev"
    assert labels["platform-kit.io/cluster-name"] == "dev-1"
    assert labels["platform-kit.io/region"] == "eu-central-1"
    assert secret["stringData"]["name"] == "dev-1"
    assert secret["stringData"]["server"] == "https://kubernetes.default.svc"
    assert secret["metadata"]["namespace"] == "argocd"


# --- the root Application --------------------------------------------------------------


def test_root_application_syncs_prunes_waits_and_goes_first_on_destroy(pulumi_recorder):
    config = make_config(
        agent="argocd", gitops={"retry": {"limit": 9}}, repo={"credentials": {"kind": "token", "tokenEnv": "T"}}
    )
    agent(config, auth=GitAuth(username="git", token="t"))
    root = pulumi_recorder.get(APPLICATION, "a-root-sync")
    metadata = root.inputs["metadata"]
    assert metadata["name"] == "root" and metadata["namespace"] == "argocd"
    assert metadata["finalizers"] == ["resources-finalizer.argocd.argoproj.io"]
    assert metadata["annotations"]["pulumi.com/waitFor"] == "jsonpath={.status.health.status}=Healthy"
    spec = root.inputs["spec"]
    source = dict(spec["source"])
    patches = source.pop("kustomize")["patches"]
    assert source == {"repoURL": REPO_URL, "targetRevision": "main", "path": "clusters/dev"}
    # The contract reaches the layer Applications through the root's patches, values and all.
    assert patches == root_patches(config, contract(config))
    assert f"repoURL: {REPO_URL}" in patches[0]["patch"] and "${PLATFORM_" not in yaml.safe_dump(patches)
    assert spec["project"] == "platform"
    assert spec["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert spec["syncPolicy"]["retry"]["limit"] == 9
    by_name = {r.name: r.urn for r in pulumi_recorder.registrations}
    for dependency in (
        "a-install",
        "a-settings",
        "a-git-credentials",
        "a-metadata",
        "a-platform-project",
        "a-default-project",
    ):
        assert by_name[dependency] in root.dependencies, dependency


def test_every_object_pulumi_applies_validates(pulumi_recorder):
    config = make_config(
        agent="argocd",
        gitops={"url": "https://cd.example.com", "sso": SSO},
        repo={"credentials": {"kind": "token", "tokenEnv": "T"}},
    )
    agent(config, auth=GitAuth(username="git", token="t"), sso_client_secret=OIDC_SECRET)
    applied = [r for r in pulumi_recorder.registrations if r.type.startswith("kubernetes:") and r.type != RELEASE]
    assert {r.type.rsplit(":", 1)[1] for r in applied} == {
        "Namespace",
        "Secret",
        "AppProject",
        "AppProjectPatch",
        "Application",
    }
    for registration in applied:
        assert validate_object(body_of(registration)) == [], registration.name


def test_children_are_parented_and_prefixed(pulumi_recorder):
    agent(make_config(agent="argocd"))
    component = pulumi_recorder.get("platform-kit:gitops:ArgoCdAgent", "a")
    children = [r for r in pulumi_recorder.registrations if r.parent == component.urn]
    assert len(children) == 8  # no credentials: no repository Secret
    assert all(child.name.startswith("a-") for child in children)


def test_agent_refuses_a_flux_config(pulumi_recorder):
    flux = make_config({"cluster.kubeconfig.path": "k"})
    with pytest.raises(TypeError, match="argocd"):
        agent(flux)


# --- inside Platform ---------------------------------------------------------------------


@pytest.fixture
def platform(pulumi_recorder):
    config = make_config(
        agent="argocd",
        gitops={"webhook": {"publicUrl": "https://cd.example.com/"}},
        repo={"credentials": {"kind": "token", "tokenEnv": "T"}},
    )
    built = Platform("dev", PlatformArgs(config=config, auth=GitAuth(username="git", token="tok-66")))
    return config, built


def test_platform_dispatches_argocd_and_syncs_after_the_seed(platform, pulumi_recorder):
    config, built = platform
    assert isinstance(built.agent, ArgoCdAgent)
    seed = pulumi_recorder.get(SEED_COMMIT, "dev-seed-commit")
    assert seeded_files(seed.inputs) == {m.path: m.content for m in render_config_repo(config)}
    assert "clusters/dev/argocd.yaml" in seed.inputs["files"]
    assert seed.urn in pulumi_recorder.get(APPLICATION, "dev-argocd-root-sync").dependencies


def test_every_kubernetes_resource_uses_the_cluster_provider(platform, pulumi_recorder):
    provider = pulumi_recorder.get(K8S_PROVIDER, "dev-cluster-k8s")
    in_cluster = [r for r in pulumi_recorder.registrations if r.type.startswith("kubernetes:")]
    assert len(in_cluster) == 8
    assert all(r.provider and r.provider.startswith(provider.urn + "::") for r in in_cluster)


def test_platform_metadata_reaches_the_cluster_secret(platform, pulumi_recorder):
    _, built = platform
    metadata, _ = pulumi_recorder.resolve(built.metadata)
    assert isinstance(metadata, PlatformMetadata)
    annotations = pulumi_recorder.inputs(SECRET, "dev-argocd-metadata")["metadata"]["annotations"]
    assert metadata.to_annotations() == annotations


def test_webhook_secret_is_generated_secret_and_set_for_every_dialect(platform, pulumi_recorder):
    _, built = platform
    fake = fake_password("dev-argocd-webhook-secret", 40)
    secret, is_secret = pulumi_recorder.resolve(built.agent.webhook_secret)
    assert (secret, is_secret) == (fake, True)
    settings = pulumi_recorder.get(SECRET, "dev-argocd-settings")
    assert settings.is_secret("stringData")
    assert {key: settings.inputs["stringData"][key] for key in WEBHOOK_SECRET_KEYS} == dict.fromkeys(
        WEBHOOK_SECRET_KEYS, fake
    )
    url, _ = pulumi_recorder.resolve(built.agent.webhook_url)
    assert url == "https://cd.example.com/api/webhook"
    for registration in pulumi_recorder.registrations:
        assert fake not in repr(registration.masked_inputs), registration.name
        assert SECRET_MARKER not in repr(registration.masked_inputs) or registration.type in (
            SECRET,
            SEED_COMMIT,
            K8S_PROVIDER,
        )
