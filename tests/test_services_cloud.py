"""Cloud side of the platform services on recorded inputs: KMS, least privilege, secrecy."""

from __future__ import annotations

import json

import pytest
from factories import make_config
from stack_support import EKS, EXISTING

from platform_kit.config import ConfigError
from platform_kit.offline.engine import fake_password
from platform_kit.platform import Platform, PlatformArgs
from platform_kit.services.secrets import eso_read_policy

SERVICES = {"secrets": {}, "observability": {"retention": "30d"}, "policy": {"mode": "Enforce"}}


def test_services_are_off_unless_configured():
    config = make_config(cluster=EXISTING, repo={"url": "https://h/x.git"})
    assert not (
        config.services.secrets.enabled or config.services.observability.enabled or config.services.policy.enabled
    )


def test_non_eks_secrets_need_a_region_and_static_auth():
    with pytest.raises(ConfigError, match=r"platform\.services: .*secrets\.region is required"):
        make_config(cluster=EXISTING, services=SERVICES)
    with pytest.raises(ConfigError, match="workload-identity` needs an EKS cluster"):
        make_config(cluster=EXISTING, services={"secrets": {"region": "eu-west-1", "auth": "workload-identity"}})
    config = make_config(cluster=EXISTING, services={"secrets": {"region": "eu-west-1"}})
    assert config.secrets_auth == "static"
    assert make_config(cluster=EKS, services=SERVICES).secrets_auth == "workload-identity"
    assert make_config(cluster=EKS, services=SERVICES).secrets_region == "eu-west-1"


def test_eso_policy_is_least_privilege():
    policy = eso_read_policy("eu-west-1", "123456789012", "dev/platform/", "arn:aws:kms:eu-west-1:123456789012:key/k")
    read, decrypt = policy["Statement"]
    assert sorted(read["Action"]) == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    assert read["Resource"] == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dev/platform/*"
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Resource"] == "arn:aws:kms:eu-west-1:123456789012:key/k"
    assert decrypt["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}}


@pytest.fixture
def eks_platform(pulumi_recorder):
    return Platform("dev", PlatformArgs(config=make_config(cluster=EKS, services=SERVICES)))


def test_kms_key_rotates(eks_platform, pulumi_recorder):
    key = pulumi_recorder.inputs("aws:kms/key:Key", "dev-secrets-key")
    assert key["enableKeyRotation"] is True
    alias = pulumi_recorder.inputs("aws:kms/alias:Alias", "dev-secrets-key")
    assert alias["name"] == "alias/dev/platform-secrets"


def test_grafana_password_is_generated_and_secret(eks_platform, pulumi_recorder):
    secret = pulumi_recorder.inputs("aws:secretsmanager/secret:Secret", "dev-secrets-grafana-admin")
    assert secret["name"] == "dev/platform/grafana-admin"
    assert secret["kmsKeyId"].startswith("arn:aws:kms:")
    version = pulumi_recorder.get("aws:secretsmanager/secretVersion:SecretVersion", "dev-secrets-grafana-admin")
    assert version.is_secret("secretString")
    password = fake_password("dev-secrets-grafana-admin", 32)
    assert json.loads(version.inputs["secretString"]) == {"admin-user": "admin", "admin-password": password}
    assert password not in json.dumps([r.masked_inputs for r in pulumi_recorder.registrations])
    value, secret_flag = pulumi_recorder.resolve(eks_platform.secrets.grafana_admin_password)
    assert value == password and secret_flag


def test_eso_gets_a_workload_identity_scoped_to_the_prefix(eks_platform, pulumi_recorder):
    association = pulumi_recorder.inputs(
        "aws:eks/podIdentityAssociation:PodIdentityAssociation", "dev-secrets-eso-association"
    )
    assert (association["namespace"], association["serviceAccount"]) == ("external-secrets", "external-secrets")
    policy = json.loads(pulumi_recorder.inputs("aws:iam/rolePolicy:RolePolicy", "dev-secrets-eso-policy")["policy"])
    resources = [s["Resource"] for s in policy["Statement"]]
    assert "*" not in resources
    assert resources[0].endswith(":secret:dev/platform/*")
    for statement in policy["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all(a != "*" and not a.endswith(":*") for a in actions)


def test_metadata_carries_secrets_facts(eks_platform, pulumi_recorder):
    metadata, _ = pulumi_recorder.resolve(eks_platform.metadata_variables)
    assert metadata["PLATFORM_SECRETS_REGION"] == "eu-west-1"
    assert metadata["PLATFORM_SECRETS_PREFIX"] == "dev/platform/"
    assert metadata["PLATFORM_ESO_ROLE_ARN"] == "arn:aws:iam::123456789012:role/dev-secrets-eso-role"


def test_root_sync_waits_for_the_secrets_side(eks_platform, pulumi_recorder):
    root = pulumi_recorder.get("kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", "dev-flux-root-sync")
    namespace = pulumi_recorder.get("kubernetes:core/v1:Namespace", "dev-secrets-eso-namespace")
    assert namespace.inputs["metadata"]["name"] == "external-secrets"
    assert namespace.urn in root.dependencies


def test_existing_cluster_uses_a_static_key_kept_in_a_kubernetes_secret(pulumi_recorder):
    Platform("op", PlatformArgs(config=make_config(cluster=EXISTING, services={"secrets": {"region": "eu-central-1"}})))
    provider = pulumi_recorder.get("pulumi:providers:aws", "op-secrets-aws")
    assert provider.inputs["region"] == "eu-central-1"
    policy = json.loads(pulumi_recorder.inputs("aws:iam/userPolicy:UserPolicy", "op-secrets-eso-policy")["policy"])
    assert policy["Statement"][0]["Resource"].startswith("arn:aws:secretsmanager:eu-central-1:")
    credentials = pulumi_recorder.get("kubernetes:core/v1:Secret", "op-secrets-eso-credentials")
    assert credentials.is_secret("stringData")
    assert credentials.inputs["metadata"] == {
        "name": "aws-secrets-manager-credentials",
        "namespace": "external-secrets",
    }
    assert set(credentials.inputs["stringData"]) == {"access-key-id", "secret-access-key"}
    assert "fake-secret-access-key" not in json.dumps([r.masked_inputs for r in pulumi_recorder.registrations])
    assert pulumi_recorder.find("aws:secretsmanager/secret:Secret") == []  # observability off: no Grafana secret
    metadata = pulumi_recorder.get("kubernetes:core/v1:ConfigMap", "op-flux-metadata").inputs["data"]
    assert metadata["PLATFORM_ESO_ROLE_ARN"] == "none"
    assert metadata["PLATFORM_SECRETS_REGION"] == "eu-central-1"


def test_no_secrets_no_aws(pulumi_recorder):
    Platform("op", PlatformArgs(config=make_config(cluster=EXISTING, services={"observability": {}})))
    assert not [r for r in pulumi_recorder.registrations if r.type.startswith(("aws:", "pulumi:providers:aws"))]


def test_non_eks_secrets_provider_is_tagged_for_the_guardrails(tmp_path, monkeypatch):
    from platform_kit.guardrails.offline import check_registrations
    from platform_kit.guardrails.rules import GuardrailConfig
    from platform_kit.offline.engine import mock_id
    from platform_kit.offline.preview import run_stack

    project = tmp_path / "project"
    (project / "stacks").mkdir(parents=True)
    root = __import__("pathlib").Path(__file__).resolve().parent.parent
    (project / "Pulumi.yaml").write_text((root / "Pulumi.yaml").read_text())
    (project / "__main__.py").write_text((root / "__main__.py").read_text())
    (project / "stacks" / "__main__.py").write_text((root / "stacks" / "__main__.py").read_text())
    stack = {
        "config": {
            "platform:environment": "onprem",
            "platform:cluster": EXISTING,
            "platform:gitops": {"agent": "flux"},
            "platform:repo": {"url": "https://git.example.com/acme/config.git"},
            "platform:services": {"secrets": {"region": "eu-central-1", "tags": {"owner": "platform-team"}}},
        }
    }
    (project / "stacks" / "Pulumi.onprem.yaml").write_text(json.dumps(stack))
    run = run_stack(project, "onprem")
    provider = next(r for r in run.registrations if r.type == "pulumi:providers:aws")
    tags = provider.inputs["defaultTags"]
    tags = json.loads(tags) if isinstance(tags, str) else tags
    assert tags["tags"] == {"environment": "onprem", "owner": "platform-team"}
    violations = check_registrations(
        run.registrations, GuardrailConfig(environment="onprem"), resource_id=lambda r: mock_id(r.name)
    )
    assert [v for v in violations if v.rule == "required-tags"] == []
