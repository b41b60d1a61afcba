"""The platform's infrastructure rules, pure over resources given as type token, name and inputs.

Callers resolve what a rule cannot see on one resource: the default tags of its AWS
provider (`Resource.default_tags`) and the subnets a node group runs in
(`Resource.subnets`). `platform_kit.guardrails.offline` does that for the offline
engine, `policy/` for `pulumi preview`. Values are read through the `Mapping` and
`Sequence` protocols only, so pulumi-policy's unknown-checking proxies pass through
unchanged (an unknown value a rule needs stops that rule during preview).

The resource model and value readers are in `resources.py`, the IAM document rules in `iam.py`,
the EKS capacity rules in `capacity.py`; `RULES` here lists them all, in report order.
"""

from __future__ import annotations

from collections.abc import Iterable

from platform_kit.guardrails.capacity import (
    EBS_PROVISIONERS,
    ebs_storage_class_encrypted,
    eks_auto_mode_complete,
    karpenter_node_class,
    node_pool_limits,
)
from platform_kit.guardrails.iam import (
    POLICY_INPUTS,
    ROUTE53_RECORD_ACTIONS,
    iam_no_wildcard_actions,
    route53_named_zones,
)
from platform_kit.guardrails.resources import (
    AWS_PROVIDER_TYPE,
    EKS_CLUSTER_TYPE,
    KMS_KEY_TYPE,
    LAUNCH_TEMPLATE_TYPE,
    NODE_CLASS_TYPE,
    NODE_GROUP_TYPE,
    NODE_POOL_TYPE,
    SECRET_TYPE,
    STORAGE_CLASS_TYPE,
    SUBNET_TYPE,
    GuardrailConfig,
    Resource,
    Rule,
    Violation,
    as_list,
    as_mapping,
    effective_tags,
    imdsv2_problems,
    is_true,
    provider_default_tags,
)

__all__ = [
    "AWS_PROVIDER_TYPE",
    "EBS_PROVISIONERS",
    "EKS_CLUSTER_TYPE",
    "KMS_KEY_TYPE",
    "LAUNCH_TEMPLATE_TYPE",
    "NODE_CLASS_TYPE",
    "NODE_GROUP_TYPE",
    "NODE_POOL_TYPE",
    "POLICY_INPUTS",
    "PUBLIC_LB_TAG",
    "ROUTE53_RECORD_ACTIONS",
    "RULES",
    "SECRET_TYPE",
    "STORAGE_CLASS_TYPE",
    "SUBNET_TYPE",
    "GuardrailConfig",
    "Resource",
    "Rule",
    "Violation",
    "check",
    "ebs_encryption",
    "ebs_storage_class_encrypted",
    "effective_tags",
    "eks_auto_mode_complete",
    "eks_secrets_encryption",
    "environments_of",
    "evaluate",
    "iam_no_wildcard_actions",
    "imdsv2",
    "karpenter_node_class",
    "kms_key_rotation",
    "node_pool_limits",
    "nodes_in_private_subnets",
    "private_endpoint_in_prod",
    "provider_default_tags",
    "required_tags",
    "route53_named_zones",
    "rule",
    "secrets_manager_cmk",
]
"""The rules and everything they are written in (the split modules' names stay importable from here)."""

PUBLIC_LB_TAG = "kubernetes.io/role/elb"
"""Subnet tag for internet-facing load balancers: such a subnet is public by intent."""


def eks_secrets_encryption(resource: Resource, config: GuardrailConfig) -> list[str]:
    """EKS clusters envelope-encrypt Kubernetes secrets with a KMS key."""
    blocks = [as_mapping(block) for block in as_list(resource.inputs.get("encryptionConfig"))]
    for block in blocks:
        if "secrets" in as_list(block.get("resources")) and as_mapping(block.get("provider")).get("keyArn"):
            return []
    return ["encryptionConfig must cover `secrets` with a KMS key (provider.keyArn)"]


def kms_key_rotation(resource: Resource, config: GuardrailConfig) -> list[str]:
    """Symmetric KMS keys rotate (asymmetric and HMAC keys cannot, so they are not checked)."""
    spec = resource.inputs.get("customerMasterKeySpec") or resource.inputs.get("keySpec") or "SYMMETRIC_DEFAULT"
    if spec != "SYMMETRIC_DEFAULT" or is_true(resource.inputs.get("enableKeyRotation")):
        return []
    return ["enableKeyRotation must be true"]


def ebs_encryption(resource: Resource, config: GuardrailConfig) -> list[str]:
    """Launch templates declare their EBS volumes and encrypt every one."""
    volumes = [
        (as_mapping(mapping).get("deviceName") or f"#{index}", as_mapping(as_mapping(mapping).get("ebs")))
        for index, mapping in enumerate(as_list(resource.inputs.get("blockDeviceMappings")))
        if as_mapping(mapping).get("ebs") is not None
    ]
    if not volumes:
        return ["declares no EBS volume: root volume encryption would be left to the AMI and account default"]
    return [f"EBS volume {device} is not encrypted" for device, ebs in volumes if not is_true(ebs.get("encrypted"))]


def secrets_manager_cmk(resource: Resource, config: GuardrailConfig) -> list[str]:
    """Secrets Manager secrets are encrypted with a customer-managed KMS key."""
    key = str(resource.inputs.get("kmsKeyId") or "")
    if not key:
        return ["kmsKeyId is unset: the secret would use the AWS-managed key aws/secretsmanager"]
    if key.startswith("alias/aws/") or ":alias/aws/" in key:
        return [f"kmsKeyId {key} is an AWS-managed key; use a customer-managed key"]
    return []


def environments_of(resource: Resource, config: GuardrailConfig) -> set[str]:
    """The environments a resource says it belongs to: the stack's and its `environment` tag's."""
    tag = effective_tags(resource).get(config.environment_tag)
    return {env for env in (config.environment, tag) if env}


def private_endpoint_in_prod(resource: Resource, config: GuardrailConfig) -> list[str]:
    """In a strict environment (stack or tag), the EKS API endpoint is private only."""
    strict = sorted(environments_of(resource, config) & set(config.strict_environments))
    public = as_mapping(resource.inputs.get("vpcConfig")).get("endpointPublicAccess")
    if not strict or public is False or (isinstance(public, str) and public.lower() == "false"):
        return []
    got = "unset, which AWS treats as public" if public is None else f"{public}".lower()
    return [f"environment {strict[0]} requires vpcConfig.endpointPublicAccess false (got {got})"]


def imdsv2(resource: Resource, config: GuardrailConfig) -> list[str]:
    """Launch templates require IMDSv2 tokens with a hop limit of 1 (pods cannot reach node credentials)."""
    options = as_mapping(resource.inputs.get("metadataOptions"))
    if options.get("httpEndpoint") == "disabled":
        return []
    return imdsv2_problems(options, "metadataOptions")


def required_tags(resource: Resource, config: GuardrailConfig) -> list[str]:
    """Every AWS provider tags what it creates (default tags) with the required keys."""
    tags = provider_default_tags(resource.inputs.get("defaultTags"))
    missing = [key for key in config.required_tags if not tags.get(key, "").strip()]
    return [f"defaultTags lack required tag(s): {', '.join(missing)}"] if missing else []


def nodes_in_private_subnets(resource: Resource, config: GuardrailConfig) -> list[str]:
    """Node groups run only in private subnets (no public IP on launch, no internet-facing LB tag)."""
    problems = []
    for subnet in resource.subnets:
        reasons = []
        if is_true(subnet.inputs.get("mapPublicIpOnLaunch")):
            reasons.append("mapPublicIpOnLaunch is true")
        if PUBLIC_LB_TAG in effective_tags(subnet):
            reasons.append(f"tagged {PUBLIC_LB_TAG}")
        if reasons:
            problems.append(f"subnet {subnet.name} is public ({', '.join(reasons)})")
    return problems


RULES: tuple[Rule, ...] = (
    Rule(
        "eks-secrets-encryption",
        "EKS secrets are envelope-encrypted with KMS.",
        (EKS_CLUSTER_TYPE,),
        eks_secrets_encryption,
    ),
    Rule("kms-key-rotation", "Symmetric KMS keys rotate.", (KMS_KEY_TYPE,), kms_key_rotation),
    Rule("ebs-encryption", "Launch template EBS volumes are encrypted.", (LAUNCH_TEMPLATE_TYPE,), ebs_encryption),
    Rule("secrets-manager-cmk", "Secrets use a customer-managed KMS key.", (SECRET_TYPE,), secrets_manager_cmk),
    Rule(
        "private-endpoint-in-prod",
        "EKS API endpoints are private in strict environments.",
        (EKS_CLUSTER_TYPE,),
        private_endpoint_in_prod,
    ),
    Rule("imdsv2", "Launch templates require IMDSv2 with hop limit 1.", (LAUNCH_TEMPLATE_TYPE,), imdsv2),
    Rule(
        "iam-no-wildcard-actions",
        "IAM documents allow no `*` or `service:*` action.",
        ("aws:iam/*",),
        iam_no_wildcard_actions,
    ),
    Rule(
        "route53-named-zones",
        "IAM documents change Route 53 records only in named hosted zones.",
        ("aws:iam/*",),
        route53_named_zones,
    ),
    Rule("required-tags", "AWS providers' default tags carry the required keys.", (AWS_PROVIDER_TYPE,), required_tags),
    Rule(
        "nodes-in-private-subnets",
        "Node groups use no public subnet.",
        (NODE_GROUP_TYPE,),
        nodes_in_private_subnets,
        stack=True,
    ),
    Rule(
        "karpenter-node-class",
        "Karpenter EC2NodeClasses require IMDSv2 with hop limit 1 and encrypted volumes.",
        (NODE_CLASS_TYPE,),
        karpenter_node_class,
    ),
    Rule("node-pool-limits", "Karpenter NodePools set CPU and memory limits.", (NODE_POOL_TYPE,), node_pool_limits),
    Rule(
        "ebs-storage-class-encrypted",
        "StorageClasses of the EBS provisioners encrypt their volumes.",
        (STORAGE_CLASS_TYPE,),
        ebs_storage_class_encrypted,
    ),
    Rule(
        "eks-auto-mode-complete",
        "EKS Auto Mode's three capabilities are on together, and its node pools have a node role.",
        (EKS_CLUSTER_TYPE,),
        eks_auto_mode_complete,
    ),
)
"""Every guardrail, in the order they are reported."""


def rule(rule_id: str) -> Rule:
    """The rule with id `rule_id`."""
    return next(r for r in RULES if r.id == rule_id)


def evaluate(rule_: Rule, resource: Resource, config: GuardrailConfig) -> list[Violation]:
    """The violations of one rule by one resource (none when the rule does not apply)."""
    if not rule_.applies(resource.type):
        return []
    return [Violation(rule_.id, resource.type, resource.name, message) for message in rule_.evaluate(resource, config)]


def check(resources: Iterable[Resource], config: GuardrailConfig | None = None) -> list[Violation]:
    """Every violation of every rule, sorted by rule order, then type and name."""
    config = config or GuardrailConfig()
    order = {r.id: index for index, r in enumerate(RULES)}
    found = [violation for resource in resources for r in RULES for violation in evaluate(r, resource, config)]
    return sorted(found, key=lambda v: (order[v.rule], v.type, v.name, v.message))
