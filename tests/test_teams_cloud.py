"""Cloud side of teams on recorded inputs: IAM scope per team, trust per identity mode, the contract."""

from __future__ import annotations

import json

import pytest
from factories import make_config
from stack_support import EXISTING
from teams_support import PAYMENTS, SEARCH, TEAMS_CONFIG

from platform_kit.gitops.seed import seeded_files
from platform_kit.platform import Platform, PlatformArgs
from platform_kit.validation.manifests import load_documents

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def build(pulumi_recorder, cluster="eks", **overrides) -> Platform:
    config = make_config(TEAMS_CONFIG, cluster=cluster, teams=[PAYMENTS, SEARCH], **overrides)
    return Platform("dev", PlatformArgs(config=config))


def statements(document: str) -> list[dict]:
    return json.loads(document)["Statement"]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("team", ["payments", "search"])
def test_each_team_reads_only_its_own_prefix(pulumi_recorder, team):
    build(pulumi_recorder, services={"secrets": {}})
    read, decrypt = statements(pulumi_recorder.inputs(ROLE_POLICY, f"dev-teams-{team}-policy")["policy"])
    assert sorted(as_list(read["Action"])) == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    assert as_list(read["Resource"]) == [f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:dev/teams/{team}/*"]
    assert as_list(decrypt["Action"]) == ["kms:Decrypt"]
    key = pulumi_recorder.get("aws:kms/key:Key", "dev-secrets-key")
    assert decrypt["Resource"].endswith("key/dev-secrets-key") and key.custom
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}}
    assert all(s["Effect"] == "Allow" for s in (read, decrypt))


def test_pod_identity_team_roles_trust_only_the_eso_role(pulumi_recorder):
    platform = build(pulumi_recorder, services={"secrets": {}})
    (trust,) = statements(pulumi_recorder.inputs(ROLE, "dev-teams-payments-role")["assumeRolePolicy"])
    assert trust == {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:role/dev-secrets-eso-role"},
        "Action": "sts:AssumeRole",
    }
    metadata, _ = pulumi_recorder.resolve(platform.metadata_variables)
    assert metadata["PLATFORM_TEAM_PAYMENTS_ROLE_ARN"] == "arn:aws:iam::123456789012:role/dev-teams-payments-role"
    assert metadata["PLATFORM_TEAM_SEARCH_ROLE_ARN"] == "arn:aws:iam::123456789012:role/dev-teams-search-role"
    config_map = pulumi_recorder.get("kubernetes:core/v1:ConfigMap", "dev-flux-metadata").inputs["data"]
    assert config_map["PLATFORM_TEAM_SEARCH_ROLE_ARN"].endswith(":role/dev-teams-search-role")
    root = pulumi_recorder.get("kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", "dev-flux-root-sync")
    assert pulumi_recorder.get(ROLE, "dev-teams-search-role").urn in root.dependencies  # roles exist before the sync


def test_irsa_team_roles_trust_only_the_team_service_accounts(pulumi_recorder):
    build(pulumi_recorder, agent="argocd", services={"secrets": {}}, **{"cluster.workloadIdentity": "irsa"})
    (trust,) = statements(pulumi_recorder.inputs(ROLE, "dev-teams-payments-role")["assumeRolePolicy"])
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Principal"]["Federated"].startswith("arn:aws:iam::123456789012:oidc-provider/")
    conditions = trust["Condition"]["StringEquals"]
    subjects = next(value for key, value in conditions.items() if key.endswith(":sub"))
    assert subjects == [
        "system:serviceaccount:payments:team-secrets",
        "system:serviceaccount:payments-jobs:team-secrets",
    ]
    assert next(value for key, value in conditions.items() if key.endswith(":aud")) == "sts.amazonaws.com"
    secret = pulumi_recorder.get("kubernetes:core/v1:Secret", "dev-argocd-metadata")
    annotations = secret.inputs["metadata"]["annotations"]
    assert annotations["platform-kit.io/team-payments-role-arn"].endswith(":role/dev-teams-payments-role")
    project = pulumi_recorder.inputs("kubernetes:argoproj.io/v1alpha1:AppProject", "dev-argocd-platform-project")
    destinations = {d["namespace"] for d in project["spec"]["destinations"]}
    assert {"payments", "payments-jobs", "search"} <= destinations
    kinds = {k["kind"] for k in project["spec"]["clusterResourceWhitelist"]}
    assert {"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"} <= kinds


def test_non_eks_teams_get_their_own_key_in_a_kubernetes_secret(pulumi_recorder):
    platform = build(pulumi_recorder, cluster=EXISTING, services={"secrets": {"region": "eu-central-1"}})
    assert pulumi_recorder.find(ROLE) == []
    (read, _) = statements(pulumi_recorder.inputs("aws:iam/userPolicy:UserPolicy", "dev-teams-search-policy")["policy"])
    assert read["Resource"] == "arn:aws:secretsmanager:eu-central-1:123456789012:secret:dev/teams/search/*"
    secret = pulumi_recorder.get("kubernetes:core/v1:Secret", "dev-teams-search-credentials")
    assert secret.inputs["metadata"] == {"name": "team-search-aws-credentials", "namespace": "external-secrets"}
    assert secret.is_secret("stringData")
    namespace = pulumi_recorder.get("kubernetes:core/v1:Namespace", "dev-secrets-eso-namespace")
    assert namespace.urn in secret.dependencies
    masked = json.dumps([r.masked_inputs for r in pulumi_recorder.registrations])
    assert "fake-secret-access-key" not in masked
    metadata, _ = pulumi_recorder.resolve(platform.metadata_variables)
    assert metadata["PLATFORM_TEAM_SEARCH_ROLE_ARN"] == "none"


def test_team_outputs_for_team_stacks(pulumi_recorder):
    platform = build(pulumi_recorder, services={"secrets": {}})
    outputs, _ = pulumi_recorder.resolve(platform.team_outputs)
    assert outputs["payments"] == {
        "namespaces": ["payments", "payments-jobs"],
        "homeNamespace": "payments",
        "secretsPrefix": "dev/teams/payments/",
        "secretsRegion": "eu-west-1",
        "secretsKeyArn": "arn:aws:kms:example-region-1:123456789012:key/dev-secrets-key",  # the platform's CMK
        "roleArn": "arn:aws:iam::123456789012:role/dev-teams-payments-role",
    }


def test_teams_without_the_secrets_service_need_no_cloud(pulumi_recorder):
    platform = build(pulumi_recorder, cluster=EXISTING)
    assert not [r for r in pulumi_recorder.registrations if r.type.startswith(("aws:", "pulumi:providers:aws"))]
    assert platform.teams is None
    outputs, _ = pulumi_recorder.resolve(platform.team_outputs)
    assert outputs["search"]["secretsPrefix"] == "none" and outputs["search"]["roleArn"] == "none"


def test_pulumi_flux_instance_equals_the_seeded_one_with_the_lockdown(pulumi_recorder):
    build(pulumi_recorder, gitops={"multitenant": True})
    instance = pulumi_recorder.inputs("kubernetes:fluxcd.controlplane.io/v1:FluxInstance", "dev-flux-instance")
    files = seeded_files(pulumi_recorder.get("pulumi-python:dynamic/platform-kit:SeedCommit").inputs)
    (seeded,) = load_documents(files["clusters/dev/flux-system/flux-instance.yaml"])
    assert instance["spec"] == seeded["spec"] and seeded["spec"]["cluster"]["multitenant"] is True
    root = pulumi_recorder.inputs("kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", "dev-flux-root-sync")
    assert root["spec"]["serviceAccountName"] == "kustomize-controller"
