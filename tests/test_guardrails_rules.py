"""The pure guardrail rules on hand-built resources: each rule fires on what breaks it and only then."""

from __future__ import annotations

import json

import pytest

from platform_kit.guardrails.offline import to_resources
from platform_kit.guardrails.rules import RULES, GuardrailConfig, Resource, Violation, check, rule

PROVIDER = "pulumi:providers:aws"
CLUSTER = "aws:eks/cluster:Cluster"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
GOOD_TAGS = {"environment": "dev", "owner": "platform-team"}


def good_cluster(**vpc) -> dict:
    return {
        "encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": "arn:aws:kms:r:1:key/k"}},
        "vpcConfig": {"endpointPrivateAccess": True, "endpointPublicAccess": False, **vpc},
    }


def good_template(**metadata) -> dict:
    return {
        "metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 1.0}
        | metadata,
        "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "volumeType": "gp3"}}],
    }


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"
NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"


def zone_grant(zone_arn: str) -> dict:
    return {"Effect": "Allow", "Action": ["route53:ChangeResourceRecordSets"], "Resource": [zone_arn]}


def fired(*resources: Resource, config: GuardrailConfig | None = None) -> list[str]:
    return [v.rule for v in check(resources, config)]


# (rule id, a compliant resource, a resource that breaks exactly that rule)
STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
AUTO_MODE = {
    "computeConfig": {"enabled": True, "nodePools": ["system"], "nodeRoleArn": "arn:aws:iam::1:role/node"},
    "storageConfig": {"blockStorage": {"enabled": True}},
    "kubernetesNetworkConfig": {"elasticLoadBalancing": {"enabled": True}},
}

CASES = [
    (
        "eks-secrets-encryption",
        Resource(CLUSTER, "c", good_cluster()),
        Resource(CLUSTER, "c", {**good_cluster(), "encryptionConfig": {"resources": ["configmaps"]}}),
    ),
    (
        "kms-key-rotation",
        Resource("aws:kms/key:Key", "k", {"enableKeyRotation": True}),
        Resource("aws:kms/key:Key", "k", {"enableKeyRotation": False}),
    ),
    (
        "ebs-encryption",
        Resource(TEMPLATE, "t", good_template()),
        Resource(TEMPLATE, "t", {**good_template(), "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {}}]}),
    ),
    (
        "secrets-manager-cmk",
        Resource("aws:secretsmanager/secret:Secret", "s", {"kmsKeyId": "arn:aws:kms:r:1:key/k"}),
        Resource("aws:secretsmanager/secret:Secret", "s", {"kmsKeyId": "alias/aws/secretsmanager"}),
    ),
    (
        "private-endpoint-in-prod",
        Resource(CLUSTER, "c", good_cluster(), default_tags={"environment": "prod"}),
        Resource(CLUSTER, "c", good_cluster(endpointPublicAccess=True), default_tags={"environment": "prod"}),
    ),
    ("imdsv2", Resource(TEMPLATE, "t", good_template()), Resource(TEMPLATE, "t", good_template(httpTokens="optional"))),
    (
        "iam-no-wildcard-actions",
        Resource("aws:iam/rolePolicy:RolePolicy", "p", {"policy": policy({"Effect": "Allow", "Action": "s3:Get*"})}),
        Resource("aws:iam/rolePolicy:RolePolicy", "p", {"policy": policy({"Effect": "Allow", "Action": "s3:*"})}),
    ),
    (
        "route53-named-zones",
        Resource(ROLE_POLICY, "p", {"policy": policy(zone_grant("arn:aws:route53:::hostedzone/Z1"))}),
        Resource(ROLE_POLICY, "p", {"policy": policy(zone_grant("arn:aws:route53:::hostedzone/*"))}),
    ),
    (
        "required-tags",
        Resource(PROVIDER, "aws", {"defaultTags": json.dumps({"tags": GOOD_TAGS})}),
        Resource(PROVIDER, "aws", {"defaultTags": json.dumps({"tags": {"environment": "dev"}})}),
    ),
    (
        "nodes-in-private-subnets",
        Resource(
            "aws:eks/nodeGroup:NodeGroup",
            "ng",
            {"subnetIds": ["a"]},
            subnets=(
                Resource("aws:ec2/subnet:Subnet", "private-0", {"tags": {"kubernetes.io/role/internal-elb": "1"}}),
            ),
        ),
        Resource(
            "aws:eks/nodeGroup:NodeGroup",
            "ng",
            {"subnetIds": ["a"]},
            subnets=(Resource("aws:ec2/subnet:Subnet", "public-0", {"tags": {"kubernetes.io/role/elb": "1"}}),),
        ),
    ),
    (
        "karpenter-node-class",
        Resource(NODE_CLASS, "nc", {"spec": good_template()}),
        Resource(NODE_CLASS, "nc", {"spec": good_template(httpPutResponseHopLimit=2)}),
    ),
    (
        "node-pool-limits",
        Resource(NODE_POOL, "np", {"spec": {"limits": {"cpu": "8", "memory": "32Gi"}}}),
        Resource(NODE_POOL, "np", {"spec": {"template": {}}}),
    ),
    (
        "ebs-storage-class-encrypted",
        Resource(
            STORAGE_CLASS, "sc", {"provisioner": "ebs.csi.eks.amazonaws.com", "parameters": {"encrypted": "true"}}
        ),
        Resource(STORAGE_CLASS, "sc", {"provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp3"}}),
    ),
    (
        "eks-auto-mode-complete",
        Resource(CLUSTER, "c", {**good_cluster(), **AUTO_MODE}),
        Resource(CLUSTER, "c", {**good_cluster(), **AUTO_MODE, "storageConfig": {"blockStorage": {"enabled": False}}}),
    ),
]


def test_every_rule_has_a_case_and_a_unique_id():
    assert [case[0] for case in CASES] == [r.id for r in RULES]
    assert len({r.id for r in RULES}) == len(RULES) == 14


@pytest.mark.parametrize(("rule_id", "good", "bad"), CASES, ids=[case[0] for case in CASES])
def test_rule_fires_only_on_the_breaking_resource(rule_id, good, bad):
    assert fired(good) == []
    violations = check([bad])
    assert [v.rule for v in violations] == [rule_id]
    assert (violations[0].type, violations[0].name) == (bad.type, bad.name)
    assert str(violations[0]).startswith(f"{rule_id}: {bad.type} {bad.name}: ")


def test_a_rule_ignores_types_it_does_not_apply_to():
    assert fired(Resource("aws:s3/bucket:Bucket", "b", {"policy": policy({"Effect": "Allow", "Action": "*"})})) == []
    assert rule("iam-no-wildcard-actions").applies("aws:iam/policy:Policy")
    assert not rule("iam-no-wildcard-actions").applies("aws:s3/bucketPolicy:BucketPolicy")


def test_prod_is_recognised_by_the_stack_environment_or_by_the_tag():
    public = Resource(CLUSTER, "c", good_cluster(endpointPublicAccess=True), default_tags={"environment": "dev"})
    assert fired(public) == []
    assert fired(public, config=GuardrailConfig(environment="prod")) == ["private-endpoint-in-prod"]
    tagged = Resource(CLUSTER, "c", {**good_cluster(endpointPublicAccess=True), "tags": {"environment": "prod"}})
    assert fired(tagged) == ["private-endpoint-in-prod"]
    assert fired(public, config=GuardrailConfig(environment="staging", strict_environments=("staging",))) == [
        "private-endpoint-in-prod"
    ]


def test_an_unset_public_endpoint_counts_as_public_because_aws_defaults_to_public():
    (violation,) = check([Resource(CLUSTER, "c", good_cluster(endpointPublicAccess=None))], GuardrailConfig("prod"))
    assert "unset" in violation.message


def test_hop_limit_must_be_exactly_one():
    assert fired(Resource(TEMPLATE, "t", good_template(httpPutResponseHopLimit=2))) == ["imdsv2"]
    assert fired(Resource(TEMPLATE, "t", good_template(httpPutResponseHopLimit=None))) == ["imdsv2"]
    assert fired(Resource(TEMPLATE, "t", good_template(httpEndpoint="disabled", httpTokens="optional"))) == []


def test_a_template_without_volumes_leaves_encryption_to_the_ami():
    template = {**good_template(), "blockDeviceMappings": []}
    (violation,) = check([Resource(TEMPLATE, "t", template)])
    assert violation.rule == "ebs-encryption" and "no EBS volume" in violation.message
    encrypted_bool = {**good_template(), "blockDeviceMappings": [{"ebs": {"encrypted": True}}]}
    assert fired(Resource(TEMPLATE, "t", encrypted_bool)) == []


def test_asymmetric_kms_keys_are_not_asked_to_rotate():
    assert fired(Resource("aws:kms/key:Key", "k", {"customerMasterKeySpec": "RSA_2048"})) == []
    assert fired(Resource("aws:kms/key:Key", "k", {})) == ["kms-key-rotation"]


def test_secrets_need_an_explicit_customer_managed_key():
    assert fired(Resource("aws:secretsmanager/secret:Secret", "s", {})) == ["secrets-manager-cmk"]
    arn_alias = "arn:aws:kms:eu-west-1:1:alias/aws/secretsmanager"
    assert fired(Resource("aws:secretsmanager/secret:Secret", "s", {"kmsKeyId": arn_alias})) == ["secrets-manager-cmk"]


@pytest.mark.parametrize(
    ("document", "problems"),
    [
        (policy({"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"]}), 0),
        (policy({"Effect": "Allow", "Action": "*"}), 1),
        (policy({"Effect": "Allow", "Action": ["s3:GetObject", "iam:*", "*"]}), 2),
        (policy({"Effect": "Deny", "Action": "*"}), 0),  # a Deny restricts
        (policy({"Effect": "Allow", "NotAction": "iam:*"}), 1),
        (json.dumps({"Statement": {"Effect": "Allow", "Action": "ec2:*"}}), 1),  # a single statement object
        ("{not json", 1),
    ],
)
def test_iam_documents(document, problems):
    violations = check([Resource("aws:iam/role:Role", "r", {"assumeRolePolicy": document})])
    assert len(violations) == problems
    assert all(v.rule == "iam-no-wildcard-actions" for v in violations)


def test_inline_role_policies_are_checked_too():
    inputs = {
        "assumeRolePolicy": policy({"Effect": "Allow", "Action": "sts:AssumeRole"}),
        "inlinePolicies": [{"name": "x", "policy": policy({"Sid": "All", "Effect": "Allow", "Action": "*"})}],
    }
    (violation,) = check([Resource("aws:iam/role:Role", "r", inputs)])
    assert "inlinePolicies[0].policy statement All" in violation.message


def test_required_tags_are_configurable_and_read_from_object_or_json():
    provider = Resource(PROVIDER, "aws", {"defaultTags": {"tags": {"environment": "dev", "owner": " "}}})
    (violation,) = check([provider])
    assert violation.message == "defaultTags lack required tag(s): owner"
    assert fired(provider, config=GuardrailConfig(required_tags=("environment",))) == []
    assert fired(Resource(PROVIDER, "aws", {})) == ["required-tags"]


def test_a_subnet_that_maps_public_ips_is_public_even_untagged():
    subnet = Resource("aws:ec2/subnet:Subnet", "s", {"mapPublicIpOnLaunch": True, "tags": {}})
    node_group = Resource("aws:eks/nodeGroup:NodeGroup", "ng", {"subnetIds": ["s-id"]}, subnets=(subnet,))
    (violation,) = check([node_group])
    assert violation.message == "subnet s is public (mapPublicIpOnLaunch is true)"


def test_violations_are_sorted_by_rule_order_then_type_and_name():
    violations = check(
        [
            Resource("aws:kms/key:Key", "b", {}),
            Resource("aws:kms/key:Key", "a", {}),
            Resource(CLUSTER, "c", {}),
        ],
        GuardrailConfig(environment="prod"),
    )
    assert [(v.rule, v.name) for v in violations] == [
        ("eks-secrets-encryption", "c"),
        ("kms-key-rotation", "a"),
        ("kms-key-rotation", "b"),
        ("private-endpoint-in-prod", "c"),
    ]
    assert isinstance(violations[0], Violation)


class Recorded:
    """A registration-like object for the offline adaptor."""

    def __init__(self, urn: str, type_: str, name: str, inputs: dict, provider: str | None = None):
        self.urn, self.type, self.name, self.inputs, self.provider = urn, type_, name, inputs, provider


def test_offline_adaptor_resolves_provider_tags_and_node_subnets_by_id():
    provider = Recorded("urn:p", PROVIDER, "aws", {"defaultTags": json.dumps({"tags": {"environment": "prod"}})})
    public = Recorded("urn:s1", "aws:ec2/subnet:Subnet", "public-0", {"tags": {"kubernetes.io/role/elb": "1"}})
    private = Recorded("urn:s2", "aws:ec2/subnet:Subnet", "private-0", {"tags": {}}, "urn:p::p-id")
    group = Recorded("urn:n", "aws:eks/nodeGroup:NodeGroup", "ng", {"subnetIds": ["public-0-id", "vpc-x"]}, "urn:p::id")
    cluster = Recorded("urn:c", CLUSTER, "c", good_cluster(endpointPublicAccess=True), "urn:p::p-id")
    resources = {r.name: r for r in to_resources([provider, public, private, group, cluster], lambda r: f"{r.name}-id")}
    assert resources["c"].default_tags == {"environment": "prod"}
    assert [s.name for s in resources["ng"].subnets] == ["public-0"]  # unknown ids (vpc-x) are not judged
    assert fired(*resources.values()) == ["private-endpoint-in-prod", "required-tags", "nodes-in-private-subnets"]
