"""EKS config validation: each rule fails on a bad value, named by its field path."""

from __future__ import annotations

import pytest
from factories import config_problems, config_values, make_config


def test_secure_defaults():
    cluster = make_config(cluster="eks").cluster
    assert cluster.endpoint.public is False
    assert cluster.network.kind == "new" and cluster.network.zone_count == 3
    assert cluster.network.nat_gateways == "per-zone"
    assert set(cluster.log_types) == {"api", "audit", "authenticator", "controllerManager", "scheduler"}
    assert cluster.workload_identity == "pod-identity"
    assert cluster.version == "1.33"


@pytest.mark.parametrize(
    ("changes", "path", "fragment"),
    [
        ({"network": {"kind": "new", "cidr": "10.0.0.0/33"}}, "platform.cluster.network.cidr", "not a valid CIDR"),
        ({"network": {"kind": "new", "cidr": "10.0.0.1/16"}}, "platform.cluster.network.cidr", "host bits"),
        ({"network": {"kind": "new", "cidr": "10.0.0.0/8"}}, "platform.cluster.network.cidr", "/16 and /20"),
        ({"serviceCidr": "10.0.128.0/20"}, "platform.cluster.serviceCidr", "overlaps the VPC CIDR"),
        ({"serviceCidr": "172.20.0.0/99"}, "platform.cluster.serviceCidr", "not a valid CIDR"),
        ({"network": {"kind": "new", "zoneCount": 1}}, "platform.cluster.network.zoneCount", "2 or 3"),
        ({"network": {"kind": "new", "zoneCount": 4}}, "platform.cluster.network.zoneCount", "2 or 3"),
        (
            {"network": {"kind": "new", "zoneCount": 2, "zones": ["eu-west-1a"]}},
            "platform.cluster.network",
            "zoneCount is 2",
        ),
        (
            {
                "network": {
                    "kind": "existing",
                    "vpcId": "vpc-0123456789abcdef0",
                    "privateSubnetIds": ["subnet-01234567"],
                }
            },
            "platform.cluster.network.privateSubnetIds",
            "at least 2",
        ),
        ({"version": "1.3"}, "platform.cluster.version", "`1.3` is not a Kubernetes minor version"),
        ({"version": "v1.33"}, "platform.cluster.version", "`v1.33` is not a Kubernetes minor version"),
        ({"region": "europe"}, "platform.cluster.region", "`europe` is not an AWS region"),
        ({"name": "x" * 101}, "platform.cluster.name", "at most 100"),
        ({"name": "bad name"}, "platform.cluster.name", "`bad name` is not a name of letters"),
        ({"endpoint": {"public": True}}, "platform.cluster.endpoint", "at least one network"),
        (
            {"endpoint": {"public": True, "publicCidrs": ["0.0.0.0/0"]}},
            "platform.cluster.endpoint.publicCidrs",
            "0.0.0.0/0",
        ),
        (
            {"endpoint": {"public": True, "publicCidrs": ["203.0.113.7/24"]}},
            "platform.cluster.endpoint.publicCidrs",
            "host bits",
        ),
        ({"endpoint": {"publicCidrs": ["203.0.113.0/24"]}}, "platform.cluster.endpoint", "not public"),
        ({"adminPrincipalArns": []}, "platform.cluster.adminPrincipalArns", "at least 1"),
        (
            {"adminPrincipalArns": ["admin"]},
            "platform.cluster.adminPrincipalArns[0]",
            "`admin` is not an IAM role or user ARN",
        ),
        ({"nodeGroups": []}, "platform.cluster.nodeGroups", "at least 1"),
        (
            {"nodeGroups": [{"name": "g", "instanceTypes": []}]},
            "platform.cluster.nodeGroups[0].instanceTypes",
            "at least 1",
        ),
        (
            {"nodeGroups": [{"name": "g", "instanceTypes": [" "]}]},
            "platform.cluster.nodeGroups[0].instanceTypes",
            "empty",
        ),
        (
            {
                "nodeGroups": [
                    {"name": "g", "instanceTypes": ["m7i.large"], "minSize": 3, "desiredSize": 2, "maxSize": 4}
                ]
            },
            "platform.cluster.nodeGroups[0]",
            "minSize <= desiredSize <= maxSize",
        ),
        (
            {
                "nodeGroups": [
                    {"name": "g", "instanceTypes": ["m7i.large"], "minSize": 1, "desiredSize": 5, "maxSize": 4}
                ]
            },
            "platform.cluster.nodeGroups[0]",
            "minSize <= desiredSize <= maxSize",
        ),
        (
            {
                "nodeGroups": [
                    {"name": "g", "instanceTypes": ["t3.large"]},
                    {"name": "g", "instanceTypes": ["t3.large"]},
                ]
            },
            "platform.cluster.nodeGroups",
            "duplicate",
        ),
        (
            {"name": "c" * 50, "nodeGroups": [{"name": "general-purpose", "instanceTypes": ["m7i.large"]}]},
            "platform.cluster.nodeGroups",
            "EKS limit of 63",
        ),
        (
            {"nodeGroups": [{"name": "g", "instanceTypes": ["m7i.large"], "capacityType": "spot"}]},
            "platform.cluster.nodeGroups[0].capacityType",
            "ON_DEMAND",
        ),
        (
            {
                "nodeGroups": [
                    {"name": "g", "instanceTypes": ["m7i.large"], "taints": [{"key": "k", "effect": "NoSchedule"}]}
                ]
            },
            "platform.cluster.nodeGroups[0].taints[0].effect",
            "NO_SCHEDULE",
        ),
        ({"workloadIdentity": "kiam"}, "platform.cluster.workloadIdentity", "pod-identity"),
        ({"logTypes": ["api", "everything"]}, "platform.cluster.logTypes[1]", "audit"),
        ({"logRetentionDays": 42}, "platform.cluster.logRetentionDays", "90"),
    ],
)
def test_each_rule_names_its_field(changes, path, fragment):
    found = config_problems(config_values({"cluster": changes}, cluster="eks"))
    assert path in found, found
    assert fragment in found[path], found[path]


def test_existing_vpc_is_accepted():
    network = {
        "kind": "existing",
        "vpcId": "vpc-0123456789abcdef0",
        "privateSubnetIds": ["subnet-01234567", "subnet-89abcdef"],
    }
    cluster = make_config({"cluster.network": network}, cluster="eks").cluster
    assert cluster.network.private_subnet_ids == ("subnet-01234567", "subnet-89abcdef")


def test_repo_stacks_have_the_promised_shape():
    from pathlib import Path

    from platform_kit.config import load_stack_file

    root = Path(__file__).resolve().parent.parent
    dev, staging, prod = (load_stack_file(root, s).cluster for s in ("dev", "staging", "prod"))
    assert dev.network.nat_gateways == "single"
    assert dev.capacity.kind == "karpenter" and dev.capacity.node_pools[0].capacity_types == ("spot",)
    assert dev.endpoint.public and dev.endpoint.public_cidrs
    assert staging.workload_identity == "irsa"
    assert prod.endpoint.public is False and prod.endpoint.public_cidrs == ()
    assert prod.network.nat_gateways == "per-zone" and prod.network.zone_count == 3
    assert all(g.capacity_type == "ON_DEMAND" for g in prod.node_groups)
    assert prod.capacity.kind == "karpenter" and prod.capacity.node_pools[0].capacity_types == ("on-demand",)
    assert prod.deletion_protection is True
