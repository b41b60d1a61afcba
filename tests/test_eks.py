"""The EKS stacks on recorded inputs: every secure default, ordering and identity wiring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platform_kit.aws.addon_policies import UNSCOPED_RESOURCES as ADDON_UNSCOPED
from platform_kit.aws.karpenter import UNSCOPED_RESOURCES as KARPENTER_UNSCOPED
from platform_kit.aws.policies import irsa_trust_policy
from platform_kit.offline.engine import Registration
from platform_kit.offline.preview import StackRun, plan_document, run_stack

REPO_ROOT = Path(__file__).resolve().parent.parent
STACKS = ("dev", "staging", "prod")


@pytest.fixture(scope="module")
def runs() -> dict[str, StackRun]:
    return {stack: run_stack(REPO_ROOT, stack) for stack in STACKS}


def of_type(run: StackRun, type_: str) -> list[Registration]:
    return [r for r in run.registrations if r.type == type_]


def one(run: StackRun, type_: str) -> Registration:
    found = of_type(run, type_)
    assert len(found) == 1, [r.name for r in found]
    return found[0]


def by_urn(run: StackRun) -> dict[str, Registration]:
    return {r.urn: r for r in run.registrations}


@pytest.mark.parametrize("stack", STACKS)
def test_control_plane_defaults(runs, stack):
    cluster = one(runs[stack], "aws:eks/cluster:Cluster").inputs
    assert cluster["accessConfig"] == {"authenticationMode": "API", "bootstrapClusterCreatorAdminPermissions": False}
    assert cluster["bootstrapSelfManagedAddons"] is False
    assert set(cluster["enabledClusterLogTypes"]) == {"api", "audit", "authenticator", "controllerManager", "scheduler"}
    assert cluster["encryptionConfig"]["resources"] == ["secrets"]
    keys = {r.name: r.inputs for r in of_type(runs[stack], "aws:kms/key:Key")}
    assert all(key["enableKeyRotation"] is True for key in keys.values())
    assert f"{stack}-cluster-secrets-key" in keys
    assert cluster["encryptionConfig"]["provider"]["keyArn"].startswith("arn:aws:kms:")
    assert cluster["version"] == "1.33"
    assert cluster["vpcConfig"]["endpointPrivateAccess"] is True


UNSCOPED_RESOURCES = {**KARPENTER_UNSCOPED, **ADDON_UNSCOPED}


def test_prod_endpoint_is_private_and_protected(runs):
    cluster = one(runs["prod"], "aws:eks/cluster:Cluster").inputs
    assert cluster["vpcConfig"]["endpointPublicAccess"] is False
    assert "publicAccessCidrs" not in cluster["vpcConfig"]
    assert cluster["deletionProtection"] is True


def test_dev_endpoint_is_limited_to_listed_cidrs(runs):
    vpc_config = one(runs["dev"], "aws:eks/cluster:Cluster").inputs["vpcConfig"]
    assert vpc_config["endpointPublicAccess"] is True
    assert vpc_config["publicAccessCidrs"] == ["203.0.113.0/24"]


@pytest.mark.parametrize("stack", STACKS)
def test_no_world_open_cidr_anywhere_but_default_routes(runs, stack):
    plan = json.dumps(
        [r.inputs for r in runs[stack].registrations if r.type != "aws:ec2/routeTable:RouteTable"], sort_keys=True
    )
    assert "0.0.0.0/0" not in plan
    assert "::/0" not in plan


@pytest.mark.parametrize("stack", STACKS)
def test_nodes_require_imdsv2_and_encrypt_volumes(runs, stack):
    templates = of_type(runs[stack], "aws:ec2/launchTemplate:LaunchTemplate")
    groups = of_type(runs[stack], "aws:eks/nodeGroup:NodeGroup")
    assert len(templates) == len(groups) >= 1
    for template in templates:
        inputs = template.inputs
        assert inputs["metadataOptions"]["httpTokens"] == "required"
        assert inputs["metadataOptions"]["httpPutResponseHopLimit"] == 1
        for mapping in inputs["blockDeviceMappings"]:
            assert mapping["ebs"]["encrypted"] == "true"
    for group in groups:
        assert group.inputs["launchTemplate"]["id"]
        assert "diskSize" not in group.inputs  # the launch template owns the volume


def test_nodes_run_in_private_subnets_only(runs):
    run = runs["dev"]
    subnets = {r.urn: r for r in of_type(run, "aws:ec2/subnet:Subnet")}
    private_ids = {f"{r.name}-id" for r in subnets.values() if "private" in r.name}
    for group in of_type(run, "aws:eks/nodeGroup:NodeGroup"):
        assert set(group.inputs["subnetIds"]) == private_ids
    assert set(one(run, "aws:eks/cluster:Cluster").inputs["vpcConfig"]["subnetIds"]) == private_ids


def test_capacity_types_follow_the_environment(runs):
    # dev's spot capacity comes from Karpenter (tests/test_eks_capacity.py); its node group only runs the controller
    assert {g.inputs["capacityType"] for g in of_type(runs["dev"], "aws:eks/nodeGroup:NodeGroup")} == {"ON_DEMAND"}
    assert runs["dev"].config.cluster.capacity.node_pools[0].capacity_types == ("spot",)
    assert {g.inputs["capacityType"] for g in of_type(runs["prod"], "aws:eks/nodeGroup:NodeGroup")} == {"ON_DEMAND"}
    system = next(g for g in of_type(runs["prod"], "aws:eks/nodeGroup:NodeGroup") if g.name.endswith("system"))
    assert system.inputs["taints"] == [{"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}]


def test_nat_gateways_single_in_dev_per_zone_in_prod(runs):
    assert len(of_type(runs["dev"], "aws:ec2/natGateway:NatGateway")) == 1
    assert len(of_type(runs["prod"], "aws:ec2/natGateway:NatGateway")) == 3
    assert len(of_type(runs["prod"], "aws:ec2/subnet:Subnet")) == 6


def test_subnets_carry_load_balancer_tags(runs):
    for subnet in of_type(runs["dev"], "aws:ec2/subnet:Subnet"):
        tags = subnet.inputs["tags"]
        if "public" in subnet.name:
            assert tags["kubernetes.io/role/elb"] == "1"
            assert subnet.inputs["mapPublicIpOnLaunch"] is False
        else:
            assert tags["kubernetes.io/role/internal-elb"] == "1"


@pytest.mark.parametrize("stack", STACKS)
def test_addons_and_coredns_after_nodes_in_plan_json(runs, stack):
    plan = plan_document(runs[stack])
    resources = {r["urn"]: r for r in plan["resources"]}
    addons = {r["inputs"]["addonName"]: r for r in resources.values() if r["type"] == "aws:eks/addon:Addon"}
    assert set(addons) == {"vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent"}
    node_groups = {urn for urn, r in resources.items() if r["type"] == "aws:eks/nodeGroup:NodeGroup"}
    assert node_groups <= set(addons["coredns"]["dependencies"])
    for group in node_groups:
        for addon in ("vpc-cni", "kube-proxy", "eks-pod-identity-agent"):
            assert addons[addon]["urn"] in resources[group]["dependencies"]


def test_admin_access_only_through_access_entries(runs):
    run = runs["prod"]
    entries = [e for e in of_type(run, "aws:eks/accessEntry:AccessEntry") if e.inputs["type"] == "STANDARD"]
    nodes = [e for e in of_type(run, "aws:eks/accessEntry:AccessEntry") if e.inputs["type"] != "STANDARD"]
    assert [(e.inputs["type"], e.inputs["principalArn"].rpartition("/")[2]) for e in nodes] == [
        ("EC2_LINUX", "prod-cluster-karpenter-node-role")  # Karpenter's nodes join; no policy is associated
    ]
    grants = of_type(run, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    assert {e.inputs["principalArn"] for e in entries} == {
        "arn:aws:iam::444455556666:role/platform-admins",
        "arn:aws:iam::444455556666:role/platform-deployer",
    }
    for grant in grants:
        assert grant.inputs["policyArn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
        assert grant.inputs["accessScope"] == {"type": "cluster"}


def test_pod_identity_wires_the_vpc_cni(runs):
    run = runs["dev"]
    cni = next(r for r in of_type(run, "aws:eks/addon:Addon") if r.inputs["addonName"] == "vpc-cni")
    association = cni.inputs["podIdentityAssociations"][0]
    assert association["serviceAccount"] == "aws-node"
    cni_role = next(r for r in of_type(run, "aws:iam/role:Role") if r.name.endswith("vpc-cni-role"))
    assert association["roleArn"] == f"arn:aws:iam::123456789012:role/{cni_role.name}"
    trust = json.loads(cni_role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert trust["Statement"][0]["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    agent = next(r for r in of_type(run, "aws:eks/addon:Addon") if r.inputs["addonName"] == "eks-pod-identity-agent")
    assert agent.urn in cni.dependencies
    assert of_type(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_vpc_cni_enforces_network_policies(runs, stack):
    # the VPC CNI's network policy agent is off unless its configuration turns it on; without it no
    # NetworkPolicy (teams', platform namespaces') is enforced
    cni = next(r for r in of_type(runs[stack], "aws:eks/addon:Addon") if r.inputs["addonName"] == "vpc-cni")
    assert json.loads(cni.inputs["configurationValues"]) == {"enableNetworkPolicy": "true"}
    others = [r for r in of_type(runs[stack], "aws:eks/addon:Addon") if r.inputs["addonName"] != "vpc-cni"]
    assert others and all("configurationValues" not in r.inputs for r in others)


def test_irsa_trust_is_scoped_to_one_service_account(runs):
    run = runs["staging"]
    provider = one(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    cni_role = next(r for r in of_type(run, "aws:iam/role:Role") if r.name.endswith("vpc-cni-role"))
    trust = json.loads(cni_role.inputs["assumeRolePolicy"])
    statement = trust["Statement"][0]
    issuer = provider.inputs["url"].removeprefix("https://")
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"] == {"Federated": f"arn:aws:iam::123456789012:oidc-provider/{issuer}"}
    assert statement["Condition"] == {
        "StringEquals": {
            f"{issuer}:sub": "system:serviceaccount:kube-system:aws-node",
            f"{issuer}:aud": "sts.amazonaws.com",
        }
    }
    cni = next(r for r in of_type(run, "aws:eks/addon:Addon") if r.inputs["addonName"] == "vpc-cni")
    assert cni.inputs["serviceAccountRoleArn"].endswith(cni_role.name)
    assert "podIdentityAssociations" not in cni.inputs


def test_irsa_trust_policy_function():
    policy = irsa_trust_policy("arn:p", "https://oidc.example/id/X", "ns", "sa")
    condition = policy["Statement"][0]["Condition"]["StringEquals"]
    assert condition == {
        "oidc.example/id/X:sub": "system:serviceaccount:ns:sa",
        "oidc.example/id/X:aud": "sts.amazonaws.com",
    }


@pytest.mark.parametrize("stack", STACKS)
def test_every_iam_document_is_least_privilege(runs, stack):
    documents = []
    for registration in runs[stack].registrations:
        for key in ("assumeRolePolicy", "policy"):
            if registration.type.startswith("aws:iam/") and key in registration.inputs:
                documents.append(json.loads(registration.inputs[key]))
    assert documents, "expected IAM documents"
    for document in documents:
        for statement in document["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            for action in actions:
                assert action != "*" and not action.endswith(":*"), action
            # `*` only where the API forces it, each documented (docs/eks-capacity-and-addons.md)
            assert statement.get("Resource") != "*" or statement.get("Sid") in UNSCOPED_RESOURCES, statement


@pytest.mark.parametrize("stack", STACKS)
def test_node_role_has_only_the_policies_nodes_need(runs, stack):
    run = runs[stack]
    node_role = next(r for r in of_type(run, "aws:iam/role:Role") if r.name.endswith("node-role"))
    attachments = [
        r.inputs["policyArn"]
        for r in of_type(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if r.name.startswith(node_role.name.removesuffix("-role"))
    ]
    assert sorted(attachments) == [
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    ]


@pytest.mark.parametrize("stack", STACKS)
def test_kubeconfig_is_secret_and_uses_aws_get_token(runs, stack):
    provider = one(runs[stack], "pulumi:providers:kubernetes")
    assert provider.is_secret("kubeconfig")
    assert provider.masked_inputs["kubeconfig"] == "[secret]"
    kubeconfig = provider.inputs["kubeconfig"]
    assert "get-token" in kubeconfig and "token:" not in kubeconfig


@pytest.mark.parametrize("stack", STACKS)
def test_everything_aws_uses_the_tagged_regional_provider(runs, stack):
    run = runs[stack]
    aws_provider = one(run, "pulumi:providers:aws")
    assert aws_provider.inputs["region"] == "eu-west-1"
    tags = aws_provider.inputs["defaultTags"]
    tags = json.loads(tags) if isinstance(tags, str) else tags  # providers take JSON-encoded objects
    assert tags["tags"]["environment"] == stack
    assert tags["tags"]["platform-kit.io/cluster"] == f"platform-{stack}"
    for registration in run.registrations:
        if registration.type.startswith("aws:"):
            assert registration.provider.startswith(aws_provider.urn + "::"), registration.name


@pytest.mark.parametrize("stack", STACKS)
def test_in_cluster_resources_use_the_eks_provider_after_access_and_nodes(runs, stack):
    run = runs[stack]
    k8s_provider = one(run, "pulumi:providers:kubernetes")
    for registration in run.registrations:
        if registration.type.startswith("kubernetes:"):
            assert registration.provider.startswith(k8s_provider.urn + "::")
    urns = by_urn(run)
    dependency_types = {urns[d].type for d in k8s_provider.dependencies if d in urns}
    assert {
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        "aws:eks/nodeGroup:NodeGroup",
        "aws:eks/addon:Addon",
    } <= dependency_types


def test_metadata_carries_the_region_and_cluster_name(runs):
    configmap = next(r for r in runs["prod"].registrations if r.name.endswith("flux-metadata"))
    assert configmap.inputs["data"]["PLATFORM_REGION"] == "eu-west-1"
    assert configmap.inputs["data"]["PLATFORM_CLUSTER_NAME"] == "platform-prod"
    assert configmap.inputs["data"]["PLATFORM_CLUSTER_KIND"] == "eks"


def test_workload_identity_helper_pod_identity(pulumi_recorder):
    from platform_kit.aws.identity import IdentityIssuer, WorkloadIdentity, WorkloadIdentityArgs

    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    identity = WorkloadIdentity(
        "eso",
        WorkloadIdentityArgs(
            issuer=IdentityIssuer(mode="pod-identity", cluster_name="platform-dev", region="eu-west-1"),
            namespace="external-secrets",
            service_account="external-secrets",
            policy_json=policy,
        ),
    )
    association = pulumi_recorder.inputs("aws:eks/podIdentityAssociation:PodIdentityAssociation", "eso-association")
    assert association["clusterName"] == "platform-dev"
    assert association["namespace"] == "external-secrets"
    assert association["serviceAccount"] == "external-secrets"
    assert association["roleArn"] == "arn:aws:iam::123456789012:role/eso-role"
    assert pulumi_recorder.inputs("aws:iam/rolePolicy:RolePolicy", "eso-policy")["policy"] == policy
    role_arn, _ = pulumi_recorder.resolve(identity.role_arn)
    assert role_arn == "arn:aws:iam::123456789012:role/eso-role"


def test_workload_identity_helper_irsa(pulumi_recorder):
    from platform_kit.aws.identity import IdentityIssuer, WorkloadIdentity, WorkloadIdentityArgs

    WorkloadIdentity(
        "eso",
        WorkloadIdentityArgs(
            issuer=IdentityIssuer(
                mode="irsa",
                cluster_name="platform-dev",
                region="eu-west-1",
                oidc_provider_arn="arn:aws:iam::123456789012:oidc-provider/oidc.example/id/X",
                oidc_issuer_url="https://oidc.example/id/X",
            ),
            namespace="external-secrets",
            service_account="eso",
        ),
    )
    assert pulumi_recorder.find("aws:eks/podIdentityAssociation:PodIdentityAssociation") == []
    trust = json.loads(pulumi_recorder.inputs("aws:iam/role:Role", "eso-role")["assumeRolePolicy"])
    assert trust["Statement"][0]["Condition"]["StringEquals"] == {
        "oidc.example/id/X:sub": "system:serviceaccount:external-secrets:eso",
        "oidc.example/id/X:aud": "sts.amazonaws.com",
    }
