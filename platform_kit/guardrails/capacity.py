"""Guardrails over EKS capacity: Karpenter's EC2NodeClasses and NodePools, EBS StorageClasses, Auto Mode."""

from __future__ import annotations

from platform_kit.guardrails.resources import (
    GuardrailConfig,
    Resource,
    as_list,
    as_mapping,
    imdsv2_problems,
    is_true,
)

EBS_PROVISIONERS = ("ebs.csi.aws.com", "ebs.csi.eks.amazonaws.com")
"""EBS CSI provisioners: the add-on's and EKS Auto Mode's block storage capability."""


def karpenter_node_class(resource: Resource, config: GuardrailConfig) -> list[str]:
    """Karpenter's nodes require IMDSv2 with hop limit 1 and declare only encrypted volumes."""
    spec = as_mapping(resource.inputs.get("spec"))
    problems = imdsv2_problems(as_mapping(spec.get("metadataOptions")), "spec.metadataOptions")
    volumes = as_list(spec.get("blockDeviceMappings"))
    if not volumes:
        problems.append("spec.blockDeviceMappings declares no volume (the AMI's default may be unencrypted)")
    for index, volume in enumerate(volumes):
        if not is_true(as_mapping(as_mapping(volume).get("ebs")).get("encrypted")):
            problems.append(f"spec.blockDeviceMappings[{index}].ebs.encrypted must be true")
    return problems


def node_pool_limits(resource: Resource, config: GuardrailConfig) -> list[str]:
    """Every Karpenter NodePool caps its total CPU and memory (`spec.limits`)."""
    limits = as_mapping(as_mapping(resource.inputs.get("spec")).get("limits"))
    missing = [key for key in ("cpu", "memory") if not str(limits.get(key) or "").strip()]
    return [f"spec.limits lacks {', '.join(missing)}: the pool could grow without bound"] if missing else []


def ebs_storage_class_encrypted(resource: Resource, config: GuardrailConfig) -> list[str]:
    """StorageClasses of the EBS provisioners create encrypted volumes (`parameters.encrypted: "true"`)."""
    if resource.inputs.get("provisioner") not in EBS_PROVISIONERS:
        return []
    encrypted = as_mapping(resource.inputs.get("parameters")).get("encrypted")
    return [] if str(encrypted).lower() == "true" else [f'parameters.encrypted must be "true" (got {encrypted})']


def eks_auto_mode_complete(resource: Resource, config: GuardrailConfig) -> list[str]:
    """An Auto Mode cluster turns compute, block storage and load balancing on together, with a node role."""
    compute = as_mapping(resource.inputs.get("computeConfig"))
    storage = is_true(as_mapping(as_mapping(resource.inputs.get("storageConfig")).get("blockStorage")).get("enabled"))
    network = as_mapping(resource.inputs.get("kubernetesNetworkConfig"))
    balancing = is_true(as_mapping(network.get("elasticLoadBalancing")).get("enabled"))
    if not (is_true(compute.get("enabled")) or storage or balancing):
        return []
    problems = (
        []
        if is_true(compute.get("enabled")) and storage and balancing
        else [
            "computeConfig, storageConfig.blockStorage and kubernetesNetworkConfig.elasticLoadBalancing must be "
            f"enabled together (got {is_true(compute.get('enabled'))}, {storage}, {balancing})"
        ]
    )
    if as_list(compute.get("nodePools")) and not str(compute.get("nodeRoleArn") or "").strip():
        problems.append("computeConfig.nodePools need computeConfig.nodeRoleArn (the built-in pools' node role)")
    return problems
