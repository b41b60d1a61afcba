"""Issue #18: EKS Auto Mode (`cluster.capacity.kind: autoMode`), cloud side, repo side, guardrails, config.

The cloud side runs the real Platform component under the recording mock engine with an Auto
Mode config from the factories; the repo side renders the config repo for both agents, builds
it with kustomize and validates every object (the one kind without a published schema,
Auto Mode's IngressClassParams, is checked against the load balancer controller's schema of
the same kind for the fields the platform sets).
"""

from __future__ import annotations

import copy
import json
import tarfile
from pathlib import Path

import jsonschema
import pytest
import yaml
from factories import config_problems, config_values, make_config

from platform_kit.aws.auto_mode import cluster_settings
from platform_kit.guardrails.manifests import manifest_resources
from platform_kit.guardrails.offline import check_registrations
from platform_kit.guardrails.rules import EKS_CLUSTER_TYPE, GuardrailConfig, Resource, check
from platform_kit.offline.engine import mock_id, run_program
from platform_kit.platform import Platform, PlatformArgs
from platform_kit.publish import GitAuth
from platform_kit.repo import render_config_repo
from platform_kit.repo.argocd.layout import platform_project
from platform_kit.validation.manifests import validate_tree

REPO_ROOT = Path(__file__).resolve().parent.parent
AUTO_MODE = {
    "cluster.capacity": {"kind": "autoMode"},
    "cluster.nodeGroups": [],
    "cluster.tags": {"environment": "dev", "owner": "platform-team"},
}
LBC_CHART = REPO_ROOT / "tests" / "fixtures" / "charts" / "aws-load-balancer-controller-1.16.0.tgz"


def auto_mode_config(agent="flux", *changes, **overrides):
    return make_config(AUTO_MODE, *changes, cluster="eks", agent=agent, **overrides)


def run_platform(config):
    return run_program(
        lambda: Platform("dev", PlatformArgs(config=config, auth=GitAuth("git", "tok"))), project="p", stack="dev"
    )


@pytest.fixture(scope="module")
def runs():
    return {agent: run_platform(auto_mode_config(agent)) for agent in ("flux", "argocd")}


def _of(registrations, type_):
    return [r for r in registrations if r.type == type_]


def _role(registrations, name):
    (role,) = [r for r in _of(registrations, "aws:iam/role:Role") if r.name == name]
    return role


def _attached(registrations, role_name):
    return sorted(
        r.inputs["policyArn"].rsplit("/", 1)[1]
        for r in _of(registrations, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if r.inputs["role"] == role_name
    )


# ------------------------------------------------------------------ cloud side under the mock runtime


@pytest.mark.parametrize("agent", ["flux", "argocd"])
def test_the_cluster_turns_on_all_three_capabilities_with_the_built_in_pools(runs, agent):
    regs = runs[agent]
    (cluster,) = _of(regs, "aws:eks/cluster:Cluster")
    inputs = cluster.inputs
    node_role = _role(regs, "dev-cluster-auto-node-role")
    compute = inputs["computeConfig"]
    assert compute["enabled"] is True and compute["nodePools"] == ["general-purpose", "system"]
    assert compute["nodeRoleArn"].endswith(f"role/{node_role.name}")
    assert inputs["storageConfig"] == {"blockStorage": {"enabled": True}}
    assert inputs["kubernetesNetworkConfig"] == {
        "elasticLoadBalancing": {"enabled": True},
        "serviceIpv4Cidr": "172.20.0.0/16",
    }
    assert inputs["bootstrapSelfManagedAddons"] is False
    node_attachments = {
        a.urn
        for a in _of(regs, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.inputs["role"] == node_role.name
    }
    assert len(node_attachments) == 2 and node_attachments <= set(cluster.dependencies)


def test_the_roles_carry_auto_modes_managed_policies_and_trusts(runs):
    regs = runs["flux"]
    cluster_role = _role(regs, "dev-cluster-cluster-role")
    assert _attached(regs, cluster_role.name) == sorted(
        [
            "AmazonEKSClusterPolicy",
            "AmazonEKSComputePolicy",
            "AmazonEKSBlockStoragePolicy",
            "AmazonEKSLoadBalancingPolicy",
            "AmazonEKSNetworkingPolicy",
        ]
    )
    (trust,) = json.loads(cluster_role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "eks.amazonaws.com"}
    assert trust["Action"] == ["sts:AssumeRole", "sts:TagSession"]
    node_role = _role(regs, "dev-cluster-auto-node-role")
    assert _attached(regs, node_role.name) == [
        "AmazonEC2ContainerRegistryPullOnly",
        "AmazonEKSWorkerNodeMinimalPolicy",
    ]
    (node_trust,) = json.loads(node_role.inputs["assumeRolePolicy"])["Statement"]
    assert node_trust["Principal"] == {"Service": "ec2.amazonaws.com"} and node_trust["Action"] == ["sts:AssumeRole"]


def test_no_node_group_no_eks_addon_and_no_node_access_entry(runs):
    regs = runs["flux"]
    for type_ in (
        "aws:eks/nodeGroup:NodeGroup",
        "aws:eks/addon:Addon",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "platform-kit:cluster:EksNodes",
        "platform-kit:cluster:KarpenterCloud",
    ):
        assert _of(regs, type_) == [], type_
    # EKS creates the node role's EC2 access entry with the cluster; only the admins' entries are ours
    assert {r.inputs["type"] for r in _of(regs, "aws:eks/accessEntry:AccessEntry")} == {"STANDARD"}


def test_the_kubernetes_provider_waits_only_on_the_cluster_and_the_admin_grants(runs):
    regs = runs["flux"]
    (provider,) = [r for r in _of(regs, "pulumi:providers:kubernetes") if r.name == "dev-cluster-k8s"]
    grants = {r.urn for r in _of(regs, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation")}
    assert grants and grants <= set(provider.dependencies)
    assert provider.is_secret("kubeconfig")


def test_the_node_groups_default_is_unchanged_by_auto_mode_code():
    settings = cluster_settings(None, None, "172.20.0.0/16")
    assert settings == {"kubernetes_network_config": {"service_ipv4_cidr": "172.20.0.0/16"}}


def test_every_registration_passes_the_guardrails(runs):
    for regs in runs.values():
        assert (
            check_registrations(regs, GuardrailConfig(environment="dev"), resource_id=lambda r: mock_id(r.name)) == []
        )


# ------------------------------------------------------------------ repo side, both agents


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    trees = {}
    for agent in ("flux", "argocd"):
        config = auto_mode_config(agent)
        root = tmp_path_factory.mktemp(agent)
        files = {m.path: m.content for m in render_config_repo(config)}
        for path, text in files.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        trees[agent] = (root, files)
    return trees


def _project(config):
    """The `platform` AppProject Pulumi applies (it is not in the repo)."""
    return platform_project(config, config.gitops)


def _configs(files):
    return [d for d in yaml.safe_load_all(files["infrastructure/dev/configs/configs.yaml"]) if d]


@pytest.mark.parametrize("agent", ["flux", "argocd"])
def test_the_configs_stage_enables_network_policies_and_brings_storage_and_ingress_classes(rendered, agent):
    objects = {(o["kind"], o["metadata"]["name"]): o for o in _configs(rendered[agent][1])}
    config_map = objects[("ConfigMap", "amazon-vpc-cni")]
    assert config_map["metadata"]["namespace"] == "kube-system"
    assert config_map["data"] == {"enable-network-policy-controller": "true"}
    storage = objects[("StorageClass", "auto-ebs-sc")]
    assert storage["provisioner"] == "ebs.csi.eks.amazonaws.com"
    assert storage["parameters"] == {"type": "gp3", "encrypted": "true"}
    assert storage["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    ingress = objects[("IngressClass", "alb")]
    assert ingress["spec"]["controller"] == "eks.amazonaws.com/alb"
    assert ingress["spec"]["parameters"] == {
        "apiGroup": "eks.amazonaws.com",
        "kind": "IngressClassParams",
        "name": "alb",
    }
    assert objects[("IngressClassParams", "alb")]["spec"] == {"scheme": "internal"}
    assert not any(o["kind"] in ("EC2NodeClass", "NodePool") for o in objects.values())


@pytest.mark.parametrize("agent", ["flux", "argocd"])
def test_the_rendered_repo_builds_and_validates(rendered, agent):
    errors = validate_tree(rendered[agent][0])
    # Auto Mode's IngressClassParams CRD is installed by EKS and not published: no bundled schema for it
    unexplained = [e for e in errors if "no schema for eks.amazonaws.com/IngressClassParams v1" not in e]
    assert unexplained == []
    assert errors, "the IngressClassParams should be reported as unvalidated, never silently accepted"


def test_ingress_class_params_fit_the_load_balancer_controllers_schema_of_the_same_kind():
    """AWS documents Auto Mode's IngressClassParams as the controller's v1beta1 kind with a few renamed
    fields (certificateARNs, subnets.matchTags, listeners[].attributes); `scheme` is unchanged."""
    with tarfile.open(LBC_CHART) as archive:
        text = archive.extractfile("aws-load-balancer-controller/crds/crds.yaml").read().decode()
    (crd,) = [d for d in yaml.safe_load_all(text) if d and d["spec"]["names"]["kind"] == "IngressClassParams"]
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1beta1"]
    spec_schema = version["schema"]["openAPIV3Schema"]["properties"]["spec"]
    config = auto_mode_config("flux", {"cluster.capacity.ingressScheme": "internet-facing"})
    (params,) = [
        o
        for o in _configs({m.path: m.content for m in render_config_repo(config)})
        if o["kind"] == "IngressClassParams"
    ]
    jsonschema.validate(params["spec"], spec_schema)
    assert params["spec"] == {"scheme": "internet-facing"}
    bad = copy.deepcopy(params["spec"]) | {"scheme": "public"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, spec_schema)


def test_argocd_permits_the_new_cluster_kinds_only_with_auto_mode():
    def whitelist(config):
        return {(k["group"], k["kind"]) for k in _project(config)["spec"]["clusterResourceWhitelist"]}

    new = {
        ("storage.k8s.io", "StorageClass"),
        ("networking.k8s.io", "IngressClass"),
        ("eks.amazonaws.com", "IngressClassParams"),
    }
    assert new <= whitelist(auto_mode_config("argocd"))
    assert not new & whitelist(make_config(cluster="eks", agent="argocd"))


def test_the_platform_project_may_deploy_to_kube_system():
    namespaces = {dest["namespace"] for dest in _project(auto_mode_config("argocd"))["spec"]["destinations"]}
    assert "kube-system" in namespaces


# ------------------------------------------------------------------ guardrails


GOOD_STORAGE = {
    "apiVersion": "storage.k8s.io/v1",
    "kind": "StorageClass",
    "metadata": {"name": "s"},
    "provisioner": "ebs.csi.eks.amazonaws.com",
    "parameters": {"type": "gp3", "encrypted": "true"},
}


def _violations(*objects):
    files = {"infrastructure/x/configs/configs.yaml": yaml.safe_dump_all(objects)}
    return [str(v) for v in check(manifest_resources(files))]


def test_the_rendered_storage_class_passes_and_an_unencrypted_one_is_a_violation(rendered):
    assert [str(v) for v in check(manifest_resources(rendered["flux"][1]))] == []
    assert _violations(GOOD_STORAGE) == []
    for provisioner in ("ebs.csi.eks.amazonaws.com", "ebs.csi.aws.com"):
        bad = copy.deepcopy(GOOD_STORAGE) | {"provisioner": provisioner}
        del bad["parameters"]["encrypted"]
        (violation,) = _violations(bad)
        assert violation.startswith("ebs-storage-class-encrypted:") and "parameters.encrypted" in violation
    other = copy.deepcopy(GOOD_STORAGE) | {"provisioner": "efs.csi.aws.com", "parameters": {}}
    assert _violations(other) == []  # EFS encryption is a file-system setting, not a class parameter


AUTO_CLUSTER = {
    "computeConfig": {"enabled": True, "nodePools": ["system"], "nodeRoleArn": "arn:aws:iam::1:role/n"},
    "storageConfig": {"blockStorage": {"enabled": True}},
    "kubernetesNetworkConfig": {"elasticLoadBalancing": {"enabled": True}},
    "encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": "arn:aws:kms:eu-west-1:1:key/k"}},
    "vpcConfig": {"endpointPublicAccess": False},
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c["storageConfig"]["blockStorage"].update(enabled=False), "enabled together"),
        (lambda c: c.pop("kubernetesNetworkConfig"), "enabled together"),
        (lambda c: c["computeConfig"].pop("nodeRoleArn"), "nodeRoleArn"),
    ],
)
def test_an_incomplete_auto_mode_cluster_is_a_violation(change, expected):
    assert check([Resource(EKS_CLUSTER_TYPE, "c", AUTO_CLUSTER)]) == []
    bad = copy.deepcopy(AUTO_CLUSTER)
    change(bad)
    (violation,) = [str(v) for v in check([Resource(EKS_CLUSTER_TYPE, "c", bad)])]
    assert violation.startswith("eks-auto-mode-complete:") and expected in violation


# ------------------------------------------------------------------ config errors, by field path


@pytest.mark.parametrize(
    ("changes", "path", "words"),
    [
        (
            {"cluster.nodeGroups": [{"name": "a", "instanceTypes": ["m7i.large"]}]},
            "platform.cluster.nodeGroups",
            "must be empty",
        ),
        ({"cluster.addons": {"coredns": "v1.11.4-eksbuild.2"}}, "platform.cluster.addons", "coredns"),
        (
            {"services": {"addons": {"loadBalancerController": {}}}},
            "platform.services.addons.loadBalancerController",
            "load balancing",
        ),
        ({"cluster.capacity.nodePools": []}, "platform.cluster.capacity.autoMode.nodePools", ""),
        (
            {"cluster.capacity.nodePools": ["system", "system"]},
            "platform.cluster.capacity.autoMode.nodePools",
            "at most once",
        ),
        ({"cluster.capacity.ingressScheme": "public"}, "platform.cluster.capacity.autoMode.ingressScheme", ""),
    ],
)
def test_auto_mode_config_errors_name_their_field(changes, path, words):
    found = config_problems(config_values(AUTO_MODE, changes, cluster="eks"))
    assert list(found) == [path], found
    assert words in found[path]


def test_auto_mode_keeps_the_addons_it_does_not_include():
    config = auto_mode_config("flux", services={"addons": {"metricsServer": {}}})
    assert config.services.addons.metrics_server.enabled
    files = {m.path: m.content for m in render_config_repo(config)}
    assert any("metrics-server" in path for path in files)
