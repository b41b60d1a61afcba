"""Argo CD: config, the metadata mapping, the seeded layout and the pure object builders (no Pulumi)."""

from __future__ import annotations

import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from factories import make_config
from lupa import LuaRuntime

from platform_kit import versions
from platform_kit.config import ConfigError, PlatformMetadata, stack_config_schema
from platform_kit.config.metadata import LABEL_FIELDS, VARIABLES, metadata_key
from platform_kit.delivery.credentials import CredentialError, argocd_secret_data, resolve_sso_client_secret
from platform_kit.publish import GitAuth
from platform_kit.repo import render_config_repo
from platform_kit.repo.argocd import objects as builders
from platform_kit.repo.argocd.health import APPLICATION_HEALTH_LUA
from platform_kit.repo.argocd.layout import platform_project
from platform_kit.repo.argocd.patches import placeholder_patches
from platform_kit.repo.argocd.root import root_application
from platform_kit.repo.shared import platform_namespace_objects
from platform_kit.validation.manifests import kustomize_build, load_documents, validate_object, validate_tree

REPO_ROOT = Path(__file__).resolve().parent.parent
KNOWN_HOSTS = "git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample"


RENDERED = {
    "cluster.name": "dev-cluster-77",
    "cluster.kubeconfig.path": "k",
    "repo.url": "https://git.example.com/acme/platform-config.git",
}
"""Overrides of these tests (with `agent="argocd"`); another environment names its cluster `<env>-cluster-77`."""


SSO = {"issuer": "https://id.example.com/realms/acme", "clientId": "argocd", "clientSecretEnv": "OIDC_SECRET"}


def write_tree(config, root: Path) -> Path:
    for manifest in render_config_repo(config):
        target = root / manifest.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(manifest.content)
    return root


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    return write_tree(make_config(RENDERED, agent="argocd"), tmp_path_factory.mktemp("argocd-repo"))


def metadata(environment="dev") -> PlatformMetadata:
    return PlatformMetadata(
        environment=environment,
        cluster_name=f"{environment}-cluster-77",
        cluster_kind="existing",
        region="eu-west-1",
        repo_url="https://git.example.com/acme/platform-config.git",
        repo_branch="main",
        repo_path=f"clusters/{environment}",
    )


# --- config ------------------------------------------------------------------------


def test_argocd_defaults():
    argocd = make_config(RENDERED, agent="argocd").gitops
    assert argocd.agent == "argocd"
    assert argocd.namespace == "argocd"
    assert argocd.chart_version == versions.ARGOCD_CHART_VERSION
    assert make_config(RENDERED, agent="argocd", gitops={"chartVersion": "9.9.9"}).gitops.chart_version == "9.9.9"
    assert argocd.sso is None and argocd.default_role == "none"
    assert argocd.webhook.provider == "github" and argocd.webhook.public_url is None


@pytest.mark.parametrize(
    ("gitops", "path", "fragment"),
    [
        ({"namespace": "Argo_CD"}, "platform.gitops.namespace", "`Argo_CD` is not a lower-case DNS label"),
        ({"controllerReplicas": 0}, "platform.gitops.controllerReplicas", "must be at least 1 (got `0`)"),
        ({"syncInterval": "soon"}, "platform.gitops.syncInterval", "`soon` is not a duration like 30s, 5m, 1h"),
        ({"retry": {"limit": -1}}, "platform.gitops.retry.limit", "must be at least 0 (got `-1`)"),
        (
            {"repoServerResources": {"limits": {"memory": "lots"}}},
            "platform.gitops.repoServerResources.limits.memory",
            "`lots` is not a Kubernetes quantity",
        ),
        ({"sso": SSO}, "platform.gitops", "`sso` needs `url`"),
        ({"url": "https://cd.example.com", "sso": {**SSO, "clientSecret": "x"}}, "platform.gitops.sso", "exactly one"),
        (
            {"url": "https://cd.example.com", "sso": {**SSO, "issuer": "id.example.com"}},
            "platform.gitops.sso.issuer",
            "http(s)://",
        ),
        ({"webhook": {"provider": "bitbucket"}}, "platform.gitops.webhook.provider", "github"),
        (
            {"webhook": {"publicUrl": "https://u:p@hooks.example.com"}},
            "platform.gitops.webhook.publicUrl",
            "credentials",
        ),
        ({"defaultRole": "admin"}, "platform.gitops.defaultRole", "none"),
        ({"bogus": 1}, "platform.gitops.bogus", "unknown key `bogus`"),
    ],
)
def test_bad_argocd_values_are_named_by_field_path(gitops, path, fragment):
    with pytest.raises(ConfigError) as caught:
        make_config(RENDERED, agent="argocd", gitops=gitops)
    found = {problem.path: problem.message for problem in caught.value.problems}
    assert path in found, found
    assert fragment in found[path]


def test_sso_client_secret_is_a_secret_reference_resolved_at_the_edge():
    config = make_config(RENDERED, agent="argocd", gitops={"url": "https://cd.example.com", "sso": SSO})
    assert resolve_sso_client_secret(config.gitops, {"OIDC_SECRET": "s3cr3t"}) == "s3cr3t"
    assert resolve_sso_client_secret(config.gitops, {}, offline=True) == "[secret]"
    with pytest.raises(CredentialError, match=r"platform\.gitops\.sso\.clientSecretEnv"):
        resolve_sso_client_secret(config.gitops, {})
    secure = make_config(
        RENDERED,
        agent="argocd",
        gitops={"url": "https://cd.example.com", "sso": {**SSO, "clientSecretEnv": None, "clientSecret": "oidc-77"}},
    )
    assert "oidc-77" not in repr(secure)
    assert resolve_sso_client_secret(secure.gitops, {}) == "oidc-77"
    assert resolve_sso_client_secret(make_config(RENDERED, agent="argocd").gitops, {}) is None


# --- metadata contract -> cluster Secret --------------------------------------------


def test_every_metadata_field_is_an_annotation_and_selectable_ones_are_labels():
    meta = metadata()
    annotations = meta.to_annotations()
    assert set(annotations) == {metadata_key(field) for field in VARIABLES}
    assert annotations["platform-kit.io/repo-url"] == "https://git.example.com/acme/platform-config.git"
    assert annotations["platform-kit.io/cluster-name"] == "dev-cluster-77"
    labels = meta.to_labels()
    assert set(labels) == {metadata_key(field) for field in LABEL_FIELDS}
    assert labels["platform-kit.io/environment"] == "dev"
    assert PlatformMetadata.from_variables(meta.to_variables()) == meta


def test_label_values_are_checked_and_unknown_variables_refused():
    with pytest.raises(ValueError, match="region is not a valid Kubernetes label value"):
        PlatformMetadata(**metadata().model_dump() | {"region": "eu west"}).to_labels()
    with pytest.raises(ValueError, match="PLATFORM_TYPO"):
        PlatformMetadata.from_variables(metadata().to_variables() | {"PLATFORM_TYPO": "x"})


def test_cluster_secret_body_validates_and_points_at_the_cluster_itself():
    argocd = make_config(RENDERED, agent="argocd").gitops
    meta = metadata()
    body = builders.cluster_secret_body(argocd, meta.cluster_name, meta.to_labels(), meta.to_annotations())
    assert body["metadata"]["labels"]["argocd.argoproj.io/secret-type"] == "cluster"
    assert body["stringData"]["server"] == "https://kubernetes.default.svc"
    assert body["stringData"]["name"] == "dev-cluster-77"
    assert validate_object(body) == []


# --- layout ----------------------------------------------------------------------


def test_layout_of_an_argocd_environment():
    paths = {
        m.path
        for m in render_config_repo(
            make_config(RENDERED, {"cluster.name": "local-cluster-77"}, agent="argocd", environment="local")
        )
    }
    assert paths == {
        ".github/workflows/platform-config.yaml",
        "README.md",
        "clusters/local/README.md",
        "clusters/local/kustomization.yaml",
        "clusters/local/argocd.yaml",
        "clusters/local/teams.yaml",
        "clusters/local/teams/README.md",
        "clusters/local/projects.yaml",
        "clusters/local/infrastructure.yaml",
        "clusters/local/apps.yaml",
        "projects/README.md",
        "projects/kustomization.yaml",
        "infrastructure/README.md",
        "infrastructure/controllers/kustomization.yaml",
        "infrastructure/configs/kustomization.yaml",
        "infrastructure/configs/platform-system.yaml",
        "infrastructure/local/controllers/kustomization.yaml",
        "infrastructure/local/configs/kustomization.yaml",
        "apps/README.md",
        "apps/base/kustomization.yaml",
        "apps/local/kustomization.yaml",
    }


def test_shared_files_are_identical_for_flux_and_argocd_environments():
    flux = {m.path: m.content for m in render_config_repo(make_config(RENDERED, agent="flux"))}
    argocd = {
        m.path: m.content
        for m in render_config_repo(
            make_config(RENDERED, {"cluster.name": "prod-cluster-77"}, agent="argocd", environment="prod")
        )
    }
    shared = set(flux) & set(argocd)
    assert {"README.md", "infrastructure/configs/platform-system.yaml", "apps/base/kustomization.yaml"} <= shared
    assert all(not path.startswith("clusters/") for path in shared)
    assert [path for path in shared if flux[path] != argocd[path]] == []


def test_every_object_validates_and_every_kustomization_builds(tree):
    assert len(list(tree.rglob("kustomization.yaml"))) == 8
    assert validate_tree(tree) == []


def test_no_infrastructure_literals_in_the_argocd_layout():
    config = make_config(RENDERED, {"cluster.name": "staging-cluster-77"}, agent="argocd", environment="staging")
    text = "".join(m.content for m in render_config_repo(config))
    assert "staging-cluster-77" not in text
    assert "git.example.com" not in text
    assert "repoURL: ${PLATFORM_REPO_URL}" in text  # filled by the root's patches, never a literal


def test_root_applies_waves_of_applications_in_order(tree):
    built = kustomize_build(tree / "clusters/dev")
    waves = {d["metadata"]["name"]: int(d["metadata"]["annotations"][builders.SYNC_WAVE]) for d in built}
    assert waves == {"argocd": -3, "projects": -2, "infra-controllers": -1, "infra-configs": 0, "apps": 1, "teams": 1}
    by_name = {d["metadata"]["name"]: d for d in built}
    assert by_name["teams"]["kind"] == "ApplicationSet"  # team Applications are generated (not waited on)
    for name in ("projects", "infra-controllers", "infra-configs", "apps"):
        app = by_name[name]
        assert app["kind"] == "Application"  # the root's sync waits for an Application's own health
        assert app["metadata"]["finalizers"] == [builders.FINALIZER]
        assert app["spec"]["project"] == "platform"
        assert app["spec"]["destination"]["server"] == builders.IN_CLUSTER
        assert app["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
        assert app["spec"]["syncPolicy"]["retry"]["backoff"]["factor"] == 2
        assert app["spec"]["source"]["repoURL"] == "${PLATFORM_REPO_URL}"
        assert app["spec"]["source"]["targetRevision"] == "${PLATFORM_REPO_BRANCH}"
    assert by_name["apps"]["spec"]["source"]["path"] == "apps/dev"


def test_argocd_manages_itself_but_is_never_pruned_or_deleted(tree):
    (app,) = load_documents(tree / "clusters/dev/argocd.yaml")
    assert app["metadata"]["annotations"]["argocd.argoproj.io/sync-options"] == "Delete=false,Prune=false"
    assert "finalizers" not in app["metadata"]
    config = make_config(RENDERED, agent="argocd")
    assert app["spec"]["source"]["helm"]["valuesObject"] == builders.chart_values(config, config.gitops)
    assert app["spec"]["source"]["targetRevision"] == config.gitops.chart_version
    assert "ServerSideApply=true" in app["spec"]["syncPolicy"]["syncOptions"]


def test_infra_configs_fills_every_placeholder_once_the_root_has_patched_it(tree, tmp_path):
    meta = metadata()
    root = root_application(make_config(RENDERED, agent="argocd"), make_config(RENDERED, agent="argocd").gitops, meta)
    # Argo CD adds an Application's kustomize patches to the kustomization it builds; so does this test, twice:
    # the root's patches onto clusters/dev, then infra-configs' own patches onto its directory.
    layers = tmp_path / "clusters"
    shutil.copytree(tree / "clusters/dev", layers)
    with_patches(layers, root["spec"]["source"]["kustomize"]["patches"])
    configs = next(d for d in kustomize_build(layers) if d["metadata"]["name"] == "infra-configs")
    source = configs["spec"]["source"]
    assert source["repoURL"] == meta.repo_url and source["targetRevision"] == "main"
    work = tmp_path / "configs"
    shutil.copytree(tree / "infrastructure/configs", work)
    with_patches(work, source["kustomize"]["patches"])
    built = {d["kind"]: d for d in kustomize_build(work)}
    assert "${" not in yaml.safe_dump(list(built.values()))
    assert built["ConfigMap"]["data"] == {
        "environment": "dev",
        "clusterName": "dev-cluster-77",
        "clusterKind": "existing",
        "region": "eu-west-1",
        "contractVersion": "v1",
    }
    assert built["Namespace"]["metadata"]["labels"]["platform-kit.io/environment"] == "dev"
    assert built["Namespace"]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert all(validate_object(obj) == [] for obj in built.values())


def with_patches(directory: Path, patches: list[dict]) -> None:
    """Add `patches` to the kustomization in `directory`, as Argo CD does with `spec.source.kustomize.patches`."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    kustomization["patches"] = [*kustomization.get("patches", []), *patches]
    (directory / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))


def test_placeholder_patches_cover_exactly_the_placeholders():
    objects = platform_namespace_objects()
    patches = placeholder_patches(objects)
    assert [p["target"] for p in patches] == [
        {"kind": "Namespace", "name": "platform-system"},
        {"kind": "ConfigMap", "name": "platform-info"},
    ]
    assert "platform-kit.io/environment: ${PLATFORM_ENVIRONMENT}" in patches[0]["patch"]
    assert (
        placeholder_patches([{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "1"}}])
        == []
    )


# --- objects Pulumi applies ----------------------------------------------------------


def test_objects_pulumi_applies_validate():
    config = make_config(RENDERED, agent="argocd", gitops={"url": "https://cd.example.com", "sso": SSO})
    argocd = config.gitops
    for body in (
        root_application(config, argocd, metadata()),
        builders.self_application(config, argocd),
        platform_project(config, argocd),
        builders.locked_default_project(argocd),
    ):
        assert validate_object(body) == [], body["metadata"]["name"]


def test_root_application_prunes_self_heals_retries_and_has_the_finalizer():
    config = make_config(
        RENDERED, agent="argocd", gitops={"retry": {"limit": 7, "backoffDuration": "5s", "backoffMaxDuration": "10m"}}
    )
    root = root_application(config, config.gitops, metadata())
    assert root["metadata"]["finalizers"] == ["resources-finalizer.argocd.argoproj.io"]
    source = dict(root["spec"]["source"])
    targets = [patch["target"]["name"] for patch in source.pop("kustomize")["patches"]]
    assert targets == ["projects", "infra-controllers", "infra-configs", "apps"]
    assert source == {
        "repoURL": "https://git.example.com/acme/platform-config.git",
        "targetRevision": "main",
        "path": "clusters/dev",
    }
    assert root["spec"]["syncPolicy"] == {
        "automated": {"prune": True, "selfHeal": True},
        "retry": {"limit": 7, "backoff": {"duration": "5s", "factor": 2, "maxDuration": "10m"}},
    }
    custom = make_config(RENDERED, agent="argocd", repo={"path": "fleet/eu/dev"})
    assert root_application(custom, custom.gitops, metadata())["spec"]["source"]["path"] == "fleet/eu/dev"


def test_projects_are_least_privilege():
    config = make_config(
        RENDERED,
        agent="argocd",
        gitops={"platformNamespaces": ["monitoring"], "platformSourceRepos": ["https://charts.example.com"]},
    )
    platform = platform_project(config, config.gitops)["spec"]
    assert platform["sourceRepos"] == [
        "https://git.example.com/acme/platform-config.git",
        "https://argoproj.github.io/argo-helm",
        "https://charts.example.com",
    ]
    assert [d["namespace"] for d in platform["destinations"]] == ["argocd", "platform-system", "monitoring"]
    assert all(d["server"] == builders.IN_CLUSTER for d in platform["destinations"])
    assert "*" not in yaml.safe_dump(platform)
    default = builders.locked_default_project(config.gitops)["spec"]
    assert default["sourceRepos"] == [] and default["destinations"] == [] and default["clusterResourceWhitelist"] == []


def test_admin_is_disabled_only_with_sso_and_rbac_defaults_to_nothing():
    plain = make_config(RENDERED, agent="argocd")
    cm = builders.chart_values(plain, plain.gitops)["configs"]["cm"]
    assert cm["admin.enabled"] == "true" and "oidc.config" not in cm
    sso = make_config(
        RENDERED,
        agent="argocd",
        gitops={"url": "https://cd.example.com", "sso": {**SSO, "adminGroups": ["platform-admins"]}},
    )
    chart = builders.chart_values(sso, sso.gitops)
    assert chart["configs"]["cm"]["admin.enabled"] == "false"
    oidc = yaml.safe_load(chart["configs"]["cm"]["oidc.config"])
    assert oidc["issuer"] == SSO["issuer"] and oidc["clientID"] == "argocd"
    assert oidc["clientSecret"] == "$oidc.clientSecret"
    assert chart["configs"]["rbac"] == {
        "policy.default": "",
        "policy.csv": "g, platform-admins, role:admin\n",
        "scopes": "[groups]",
    }
    assert chart["configs"]["secret"] == {"createSecret": False}
    readonly = make_config(RENDERED, agent="argocd", gitops={"defaultRole": "readonly"})
    assert builders.chart_values(readonly, readonly.gitops)["configs"]["rbac"]["policy.default"] == "role:readonly"


def test_chart_values_are_sized_from_config_and_pin_known_hosts():
    config = make_config(
        RENDERED,
        agent="argocd",
        gitops={"controllerReplicas": 3, "repoServerResources": {"requests": {"cpu": "1"}}, "syncInterval": "10m"},
        repo={
            "url": "ssh://git@git.example.com/acme/platform-config.git",
            "credentials": {"kind": "ssh", "privateKeyEnv": "K", "knownHosts": KNOWN_HOSTS},
        },
    )
    chart = builders.chart_values(config, config.gitops)
    assert chart["controller"]["replicas"] == 3
    assert chart["repoServer"]["resources"] == {"requests": {"cpu": "1"}}
    assert chart["configs"]["cm"]["timeout.reconciliation"] == "10m"
    assert chart["configs"]["ssh"] == {"extraHosts": KNOWN_HOSTS}


def test_repository_secret_data():
    url = "https://git.example.com/acme/platform-config.git"
    token = argocd_secret_data(GitAuth(username="bot", token="tok"), url)
    assert token == {"type": "git", "url": url, "username": "bot", "password": "tok"}
    ssh = argocd_secret_data(GitAuth(ssh_private_key="KEY", known_hosts=KNOWN_HOSTS), "ssh://git@h/x.git")
    assert ssh == {"type": "git", "url": "ssh://git@h/x.git", "sshPrivateKey": "KEY"}


# --- health checks (real Lua) --------------------------------------------------------


def lua_health(script: str, obj: dict) -> dict:
    lua = LuaRuntime(unpack_returned_tuples=True)
    check = lua.eval("function(obj) " + script + " end")
    result = check(lua.table_from(obj, recursive=True))
    return {key: result[key] for key in ("status", "message")}


def test_application_health_is_its_reported_health():
    assert lua_health(APPLICATION_HEALTH_LUA, {"status": {"health": {"status": "Degraded", "message": "x"}}}) == {
        "status": "Degraded",
        "message": "x",
    }
    assert lua_health(APPLICATION_HEALTH_LUA, {"metadata": {"name": "a"}})["status"] == "Progressing"


def test_only_applications_get_a_custom_health_check():
    config = make_config(RENDERED, agent="argocd")
    cm = builders.chart_values(config, config.gitops)["configs"]["cm"]
    assert cm["resource.customizations.health.argoproj.io_Application"] == APPLICATION_HEALTH_LUA
    # ApplicationSets keep Argo CD's built-in check (status.resources is never refreshed: docs/gitops-agents.md).
    assert not [key for key in cm if key.startswith("resource.customizations.health.argoproj.io_ApplicationSet")]


def test_published_schema_accepts_argocd_stacks_and_secure_client_secrets():
    schema = jsonschema.Draft202012Validator(stack_config_schema())
    document = yaml.safe_load((REPO_ROOT / "stacks" / "Pulumi.local-argocd.yaml").read_text())
    assert list(schema.iter_errors(document)) == []
    gitops = document["config"]["platform:gitops"]
    gitops.update(url="https://cd.example.com", sso={**SSO, "clientSecretEnv": None})
    gitops["sso"].pop("clientSecretEnv")
    gitops["sso"]["clientSecret"] = {"secure": "v1:abc"}
    assert list(schema.iter_errors(document)) == []
    gitops["controllerReplicaz"] = 2
    assert list(schema.iter_errors(document)) != []
