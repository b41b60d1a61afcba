"""Team directories in the rendered config repo: schemas, builds, guardrails, tenancy, and additivity."""

from __future__ import annotations

import re

import pytest
import yaml
from factories import make_config
from stack_support import EKS, EXISTING
from teams_support import PAYMENTS, SEARCH, TEAMS_CONFIG, rendered, write_tree

from platform_kit.repo.flux.objects import flux_instance
from platform_kit.validation.manifests import kustomize_build, load_documents, validate_tree

SHAPES = {
    "flux-pod-identity": dict(agent="flux", cluster=EKS, services={"secrets": {}}),
    "flux-static": dict(agent="flux", cluster=EXISTING, services={"secrets": {"region": "eu-west-1"}}),
    "argocd-irsa": dict(agent="argocd", cluster={**EKS, "workloadIdentity": "irsa"}, services={"secrets": {}}),
    "argocd-no-secrets": dict(agent="argocd", cluster=EXISTING),
}


def objects(files: dict[str, str], path: str) -> list[dict]:
    return load_documents(files[path])


def by_kind(documents: list[dict], kind: str) -> list[dict]:
    return [d for d in documents if d["kind"] == kind]


@pytest.mark.parametrize("shape", SHAPES)
def test_every_team_object_validates_and_builds(shape, tmp_path):
    files = rendered(make_config(TEAMS_CONFIG, teams=[PAYMENTS, SEARCH], **SHAPES[shape]))
    root = write_tree(files, tmp_path)
    assert validate_tree(root) == []
    built = kustomize_build(root / "clusters/dev/teams/payments")
    namespaces = {d["metadata"]["name"] for d in built if d["kind"] == "Namespace"}
    assert namespaces == {"payments", "payments-jobs"}
    assert kustomize_build(root / "teams/payments/dev") == []  # the team's own overlay starts empty


def test_quota_limits_network_and_owners_per_namespace():
    files = rendered(make_config(TEAMS_CONFIG, cluster="eks", teams=[PAYMENTS]))
    quota = objects(files, "clusters/dev/teams/payments/quota.yaml")
    hard = {q["metadata"]["namespace"]: q["spec"]["hard"] for q in by_kind(quota, "ResourceQuota")}
    assert set(hard) == {"payments", "payments-jobs"}
    assert hard["payments"]["requests.memory"] == "16Gi" and hard["payments"]["pods"] == "50"  # medium
    limits = by_kind(quota, "LimitRange")[0]["spec"]["limits"][0]
    assert limits["type"] == "Container" and limits["max"] == {"cpu": "4", "memory": "8Gi"}

    policies = objects(files, "clusters/dev/teams/payments/network-policies.yaml")
    in_payments = {p["metadata"]["name"]: p["spec"] for p in policies if p["metadata"]["namespace"] == "payments"}
    assert in_payments["default-deny-ingress"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    peers = {name: spec["ingress"][0]["from"][0] for name, spec in in_payments.items() if "ingress" in spec}
    assert peers == {
        "allow-same-namespace": {"podSelector": {}},
        "allow-from-ingress": {"namespaceSelector": {"matchLabels": {"platform-kit.io/ingress": "true"}}},
        "allow-from-monitoring": {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}},
    }

    bindings = by_kind(objects(files, "clusters/dev/teams/payments/access.yaml"), "RoleBinding")
    assert {b["metadata"]["namespace"] for b in bindings} == {"payments", "payments-jobs"}
    for binding in bindings:
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"}
        assert [s["name"] for s in binding["subjects"]] == ["payments-devs", "payments-leads"]
        assert {s["kind"] for s in binding["subjects"]} == {"Group"}
    namespace = objects(files, "clusters/dev/teams/payments/namespaces.yaml")[0]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert namespace["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/prune"] == "disabled"
    assert "Delete=false" in namespace["metadata"]["annotations"]["argocd.argoproj.io/sync-options"]


def test_flux_tenant_impersonates_the_team_service_account():
    files = rendered(make_config(TEAMS_CONFIG, cluster="eks", teams=[PAYMENTS]))
    gitops = objects(files, "clusters/dev/teams/payments/gitops.yaml")
    tenant = next(d for d in gitops if d["kind"] == "Kustomization")
    spec = tenant["spec"]
    assert tenant["metadata"] == {
        "name": "team-payments",
        "namespace": "flux-system",
        "labels": {"platform-kit.io/team": "payments", "app.kubernetes.io/managed-by": "platform-kit"},
    }
    assert spec["serviceAccountName"] == "team-payments"
    assert spec["path"] == "./teams/payments/dev" and spec["targetNamespace"] == "payments"
    assert spec["sourceRef"] == {"kind": "GitRepository", "name": "flux-system"}  # same namespace: no cross ref
    assert "postBuild" not in spec
    accounts = {(d["metadata"]["namespace"], d["metadata"]["name"]) for d in by_kind(gitops, "ServiceAccount")}
    assert accounts == {
        ("flux-system", "team-payments"),
        ("payments", "flux-reconciler"),
        ("payments-jobs", "flux-reconciler"),
    }
    grants = [b for b in by_kind(gitops, "RoleBinding")]
    assert {b["metadata"]["namespace"] for b in grants} == {"payments", "payments-jobs"}
    for grant in grants:
        assert grant["roleRef"]["name"] == "edit" and grant["roleRef"]["kind"] == "ClusterRole"
        assert {"kind": "ServiceAccount", "name": "team-payments", "namespace": "flux-system"} in grant["subjects"]
    alert = next(d for d in gitops if d["kind"] == "Alert")
    assert alert["spec"]["eventSources"] == [{"kind": "Kustomization", "name": "team-payments"}]
    # `spec.summary` is deprecated in notification-controller 1.7: the summary travels as event metadata.
    assert "summary" not in alert["spec"]
    assert alert["spec"]["eventMetadata"] == {
        "summary": "team payments on ${PLATFORM_CLUSTER_NAME} (${PLATFORM_ENVIRONMENT})"
    }
    assert next(d for d in gitops if d["kind"] == "Provider")["spec"]["channel"] == "#payments"
    entry = objects(files, "clusters/dev/teams.yaml")[0]
    assert entry["spec"]["path"] == "./clusters/dev/teams" and entry["spec"]["dependsOn"] == [{"name": "infra-configs"}]
    assert "clusters/dev/teams/kustomization.yaml" not in files  # Flux generates it: nothing lists the teams


def test_argocd_project_is_limited_to_the_team():
    files = rendered(make_config(TEAMS_CONFIG, agent="argocd", cluster="eks", teams=[PAYMENTS]))
    project, app_set = objects(files, "clusters/dev/teams/payments/gitops.yaml")
    spec = project["spec"]
    assert project["metadata"]["name"] == "team-payments"
    assert spec["sourceRepos"] == ["${PLATFORM_REPO_URL}", "https://github.com/acme/payments-app.git"]
    assert spec["destinations"] == [
        {"server": "https://kubernetes.default.svc", "namespace": "payments"},
        {"server": "https://kubernetes.default.svc", "namespace": "payments-jobs"},
    ]
    assert spec["clusterResourceWhitelist"] == []
    denied = {(k["group"], k["kind"]) for k in spec["namespaceResourceBlacklist"]}
    assert {("rbac.authorization.k8s.io", "RoleBinding"), ("external-secrets.io", "SecretStore")} <= denied
    assert spec["roles"][0]["groups"] == ["payments-devs", "payments-leads"]
    template = app_set["spec"]["template"]
    assert template["spec"]["project"] == "team-payments"
    assert template["spec"]["source"]["path"] == "teams/payments/dev"
    assert template["spec"]["destination"]["namespace"] == "payments"
    entry = objects(files, "clusters/dev/teams.yaml")[0]
    git = entry["spec"]["generators"][0]["matrix"]["generators"][1]["git"]
    assert git["directories"] == [{"path": "clusters/dev/teams/*"}]


@pytest.mark.parametrize(
    ("shape", "kind", "auth", "role"),
    [
        ("flux-pod-identity", "SecretStore", None, "${PLATFORM_TEAM_PAYMENTS_ROLE_ARN}"),
        ("argocd-irsa", "SecretStore", {"jwt": {"serviceAccountRef": {"name": "team-secrets"}}}, None),
    ],
)
def test_eks_stores_act_as_the_team_role_from_the_contract(shape, kind, auth, role):
    files = rendered(make_config(TEAMS_CONFIG, teams=[PAYMENTS], **SHAPES[shape]))
    documents = objects(files, "clusters/dev/teams/payments/secrets.yaml")
    stores = by_kind(documents, kind)
    assert {s["metadata"]["namespace"] for s in stores} == {"payments", "payments-jobs"}
    for store in stores:
        aws = store["spec"]["provider"]["aws"]
        assert aws["prefix"] == "${PLATFORM_ENVIRONMENT}/teams/payments/"
        assert aws["region"] == "${PLATFORM_SECRETS_REGION}"
        assert aws.get("auth") == auth and aws.get("role") == role
    accounts = by_kind(documents, "ServiceAccount")
    if auth:
        assert {a["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] for a in accounts} == {
            "${PLATFORM_TEAM_PAYMENTS_ROLE_ARN}"
        }
    else:
        assert accounts == []
    assert not re.search(r"arn:aws", "".join(files.values()))


def test_non_eks_store_is_a_cluster_store_limited_to_the_team_namespaces():
    files = rendered(make_config(TEAMS_CONFIG, teams=[PAYMENTS], **SHAPES["flux-static"]))
    (store,) = objects(files, "clusters/dev/teams/payments/secrets.yaml")
    assert store["kind"] == "ClusterSecretStore" and store["metadata"]["name"] == "team-payments"
    assert store["spec"]["conditions"] == [{"namespaces": ["payments", "payments-jobs"]}]
    ref = store["spec"]["provider"]["aws"]["auth"]["secretRef"]["accessKeyIDSecretRef"]
    assert ref == {"name": "team-payments-aws-credentials", "namespace": "external-secrets", "key": "access-key-id"}


@pytest.mark.parametrize(
    ("agent", "user"),
    [("flux", "flux-system:kustomize-controller"), ("argocd", "argocd:argocd-application-controller")],
)
def test_only_the_agent_manages_secret_stores_in_team_namespaces(agent, user):
    files = rendered(make_config(TEAMS_CONFIG, agent=agent, cluster="eks", teams=[PAYMENTS]))
    policy, binding = objects(files, "clusters/dev/teams/payments/guardrails.yaml")
    expressions = [v["expression"] for v in policy["spec"]["validations"]]
    assert f"request.userInfo.username == 'system:serviceaccount:{user}'" in expressions[0]
    assert any("serviceAccountName" in e for e in expressions) == (agent == "flux")
    assert binding["spec"]["policyName"] == policy["metadata"]["name"]
    assert binding["spec"]["matchResources"]["namespaceSelector"] == {
        "matchLabels": {"platform-kit.io/team": "payments"}
    }
    assert binding["spec"]["validationActions"] == ["Deny"]


@pytest.mark.parametrize("shape", SHAPES)
def test_adding_a_team_keeps_every_existing_file_byte_identical(shape):
    before = rendered(make_config(TEAMS_CONFIG, teams=[PAYMENTS], **SHAPES[shape]))
    after = rendered(make_config(TEAMS_CONFIG, teams=[PAYMENTS, SEARCH], **SHAPES[shape]))
    assert {path: after[path] for path in before} == before
    added = set(after) - set(before)
    assert added and all(path.startswith(("clusters/dev/teams/search/", "teams/search/")) for path in added)
    none = rendered(make_config(TEAMS_CONFIG, teams=[], **SHAPES[shape]))
    assert {path: before[path] for path in none} == none  # the first team is additive too


def test_argocd_patches_fill_each_team_directory_from_the_cluster_secret(tmp_path):
    files = rendered(
        make_config(TEAMS_CONFIG, agent="argocd", cluster="eks", teams=[PAYMENTS, SEARCH], services={"secrets": {}})
    )
    root = write_tree(files, tmp_path / "repo")
    entry = objects(files, "clusters/dev/teams.yaml")[0]
    annotations = {
        "platform-kit.io/secrets-region": "eu-west-1",
        "platform-kit.io/environment": "dev",
        "platform-kit.io/repo-url": "https://git.example.com/acme/platform-config.git",
        "platform-kit.io/team-search-role-arn": "arn:aws:iam::123456789012:role/search",
    }
    template = re.compile(
        r'\{\{ index \.metadata\.annotations (?:"([^"]+)"|\(printf "([^"]+)" \.path\.basename\)) \}\}'
    )

    def fill(text: str, team: str) -> str:
        text = template.sub(lambda m: annotations[m.group(1) or m.group(2).replace("%s", team)], text)
        return text.replace("{{ .path.basename }}", team)

    patches = [
        {**patch, "patch": fill(patch["patch"], "search")}
        for patch in entry["spec"]["template"]["spec"]["source"]["kustomize"]["patches"]
    ]
    overlay = root / "argocd-rendered"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text(
        yaml.safe_dump({"resources": ["../clusters/dev/teams/search"], "patches": patches})
    )
    built = kustomize_build(overlay)
    assert "${PLATFORM_" not in yaml.safe_dump_all(built)
    store = next(d for d in built if d["kind"] == "SecretStore")
    assert store["spec"]["provider"]["aws"]["role"] == "arn:aws:iam::123456789012:role/search"
    assert store["spec"]["provider"]["aws"]["prefix"] == "dev/teams/search/"
    project = next(d for d in built if d["kind"] == "AppProject")
    assert project["spec"]["sourceRepos"] == ["https://git.example.com/acme/platform-config.git"]


def test_flux_multitenant_lockdown_is_explicit_and_platform_objects_name_their_accounts():
    plain = make_config(TEAMS_CONFIG, cluster="eks", teams=[PAYMENTS])
    assert "multitenant" not in flux_instance(plain.gitops)["spec"]["cluster"]  # default: unchanged instance
    locked = make_config(TEAMS_CONFIG, cluster="eks", teams=[PAYMENTS], gitops={"multitenant": True})
    assert flux_instance(locked.gitops)["spec"]["cluster"]["multitenant"] is True
    files = rendered(locked)
    stages = objects(files, "clusters/dev/infrastructure.yaml") + objects(files, "clusters/dev/teams.yaml")
    assert {s["spec"]["serviceAccountName"] for s in stages} == {"kustomize-controller"}
    releases = [
        d
        for path, text in files.items()
        if path.endswith(".yaml") and "HelmRelease" in text
        for d in load_documents(text)
        if d["kind"] == "HelmRelease"
    ]
    assert releases and {r["spec"]["serviceAccountName"] for r in releases} == {"helm-controller"}
    tenant = next(d for d in objects(files, "clusters/dev/teams/payments/gitops.yaml") if d["kind"] == "Kustomization")
    assert tenant["spec"]["serviceAccountName"] == "team-payments"


def test_rendered_yaml_is_byte_identical_to_pyyamls_own_representer_with_either_emitter():
    from platform_kit.repo.manifest import FastDumper, PureDumper, dump_yaml, dump_yaml_with_representer

    files = rendered(
        make_config(
            TEAMS_CONFIG,
            agent="argocd",
            cluster={**EKS, "workloadIdentity": "irsa"},
            teams=[PAYMENTS, SEARCH],
            services={"secrets": {}},
        )
    )
    files |= rendered(
        make_config(
            TEAMS_CONFIG, cluster="eks", teams=[PAYMENTS], services={"secrets": {}}, gitops={"multitenant": True}
        )
    )
    checked = 0
    for path, content in files.items():
        if path.endswith(".yaml"):
            documents = load_documents(content)
            reference = dump_yaml_with_representer(documents, dumper=PureDumper)
            assert content.endswith(reference), path
            assert dump_yaml(documents, header="", dumper=PureDumper) == reference, path
            assert dump_yaml(documents, header="", dumper=FastDumper) == reference, path
            checked += 1
    assert checked > 40
