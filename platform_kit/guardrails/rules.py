"""The platform's infrastructure rules, pure over resources given as type token, name and inputs.

Callers resolve what a rule cannot see on one resource: the default tags of its AWS
provider (`Resource.default_tags`) and the subnets a node group runs in
(`Resource.subnets`). `platform_kit.guardrails.offline` does that for the offline
engine, `policy/` for `pulumi preview`. Values are read through the `Mapping` and
`Sequence` protocols only, so pulumi-policy's unknown-checking proxies pass through
unchanged (an unknown value a rule needs stops that rule during preview).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

AWS_PROVIDER_TYPE = "pulumi:providers:aws"
EKS_CLUSTER_TYPE = "aws:eks/cluster:Cluster"
NODE_GROUP_TYPE = "aws:eks/nodeGroup:NodeGroup"
SUBNET_TYPE = "aws:ec2/subnet:Subnet"
LAUNCH_TEMPLATE_TYPE = "aws:ec2/launchTemplate:LaunchTemplate"
KMS_KEY_TYPE = "aws:kms/key:Key"
SECRET_TYPE = "aws:secretsmanager/secret:Secret"

NODE_CLASS_TYPE = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"
NODE_POOL_TYPE = "kubernetes:karpenter.sh/v1:NodePool"
"""Karpenter's objects, as Pulumi types them (`render --check` also reads them from the config repo)."""
STORAGE_CLASS_TYPE = "kubernetes:storage.k8s.io/v1:StorageClass"
"""StorageClasses, as Pulumi types them (Auto Mode's default one comes from the config repo)."""
EBS_PROVISIONERS = ("ebs.csi.aws.com", "ebs.csi.eks.amazonaws.com")
"""EBS CSI provisioners: the add-on's and EKS Auto Mode's block storage capability."""
ROUTE53_RECORD_ACTIONS = ("route53:ChangeResourceRecordSets",)
"""Actions that change DNS records: granted only on named hosted zones."""

PUBLIC_LB_TAG = "kubernetes.io/role/elb"
"""Subnet tag for internet-facing load balancers: such a subnet is public by intent."""
POLICY_INPUTS = ("assumeRolePolicy", "policy")
"""Inputs of `aws:iam/*` resources that hold an IAM policy document (JSON)."""


@dataclass(frozen=True)
class Resource:
    """One resource as a rule sees it."""

    type: str
    """Pulumi type token, e.g. `aws:eks/cluster:Cluster`."""
    name: str
    """Logical (Pulumi) name."""
    inputs: Mapping[str, Any]
    """Inputs with secrets unwrapped (camelCase keys, as the engine sees them)."""
    default_tags: Mapping[str, str] = field(default_factory=dict)
    """Default tags of the resource's AWS provider, resolved by the caller."""
    subnets: tuple[Resource, ...] = ()
    """Subnets named by `subnetIds` that the caller could resolve (node groups only)."""


@dataclass(frozen=True)
class GuardrailConfig:
    """What the rules are checked against."""

    environment: str | None = None
    """The stack's environment (`platform:environment`), when the caller knows it."""
    strict_environments: tuple[str, ...] = ("prod",)
    """Environments whose EKS API endpoint must be private."""
    required_tags: tuple[str, ...] = ("environment", "owner")
    """Tag keys every AWS provider's default tags must carry."""
    environment_tag: str = "environment"
    """Tag key that names a resource's environment."""


@dataclass(frozen=True)
class Violation:
    """A resource that breaks a rule."""

    rule: str
    """Rule id, e.g. `imdsv2`."""
    type: str
    """Type token of the offending resource."""
    name: str
    """Logical name of the offending resource."""
    message: str
    """What is wrong and what the rule expects."""

    def __str__(self) -> str:
        return f"{self.rule}: {self.type} {self.name}: {self.message}"


@dataclass(frozen=True)
class Rule:
    """One guardrail: an id, what it enforces, which types it applies to and its check."""

    id: str
    """Stable id, used in messages, the policy pack and docs/guardrails.md."""
    description: str
    """One sentence on what the rule enforces."""
    types: tuple[str, ...]
    """Type tokens (shell patterns) the rule applies to."""
    evaluate: Callable[[Resource, GuardrailConfig], list[str]]
    """Messages for each way `resource` breaks the rule (empty when it complies)."""
    stack: bool = False
    """Needs other resources resolved by the caller (`Resource.subnets`): a stack-wide policy in the pack."""

    def applies(self, type_: str) -> bool:
        """Whether resources of `type_` are checked by this rule."""
        return any(fnmatch.fnmatchcase(type_, pattern) for pattern in self.types)


def _seq(value: Any) -> list[Any]:
    """A list from a list-like input; a scalar becomes a one-element list, None an empty one."""
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _is_true(value: Any) -> bool:
    """True for `true` however the provider types it (pulumi-aws passes some booleans as strings)."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def provider_default_tags(value: Any) -> dict[str, str]:
    """The `tags` of an AWS provider's `defaultTags` input (providers take it JSON-encoded or as an object)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    tags = _mapping(_mapping(value).get("tags"))
    return {str(k): str(v) for k, v in tags.items()}


def effective_tags(resource: Resource) -> dict[str, str]:
    """The resource's own tags over its provider's default tags."""
    own = _mapping(resource.inputs.get("tags"))
    return {**resource.default_tags, **{str(k): str(v) for k, v in own.items()}}


def eks_secrets_encryption(resource: Resource, config: GuardrailConfig) -> list[str]:
    """EKS clusters envelope-encrypt Kubernetes secrets with a KMS key."""
    blocks = [_mapping(block) for block in _seq(resource.inputs.get("encryptionConfig"))]
    for block in blocks:
        if "secrets" in _seq(block.get("resources")) and _mapping(block.get("provider")).get("keyArn"):
            return []
    return ["encryptionConfig must cover `secrets` with a KMS key (provider.keyArn)"]


def kms_key_rotation(resource: Resource, config: GuardrailConfig) -> list[str]:
    """Symmetric KMS keys rotate (asymmetric and HMAC keys cannot, so they are not checked)."""
    spec = resource.inputs.get("customerMasterKeySpec") or resource.inputs.get("keySpec") or "SYMMETRIC_DEFAULT"
    if spec != "SYMMETRIC_DEFAULT" or _is_true(resource.inputs.get("enableKeyRotation")):
        return []
    return ["enableKeyRotation must be true"]


def ebs_encryption(resource: Resource, config: GuardrailConfig) -> list[str]:
    """Launch templates declare their EBS volumes and encrypt every one."""
    volumes = [
        (_mapping(mapping).get("deviceName") or f"#{index}", _mapping(_mapping(mapping).get("ebs")))
        for index, mapping in enumerate(_seq(resource.inputs.get("blockDeviceMappings")))
        if _mapping(mapping).get("ebs") is not None
    ]
    if not volumes:
        return ["declares no EBS volume: root volume encryption would be left to the AMI and account default"]
    return [f"EBS volume {device} is not encrypted" for device, ebs in volumes if not _is_true(ebs.get("encrypted"))]


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
    public = _mapping(resource.inputs.get("vpcConfig")).get("endpointPublicAccess")
    if not strict or public is False or (isinstance(public, str) and public.lower() == "false"):
        return []
    got = "unset, which AWS treats as public" if public is None else f"{public}".lower()
    return [f"environment {strict[0]} requires vpcConfig.endpointPublicAccess false (got {got})"]


def imdsv2(resource: Resource, config: GuardrailConfig) -> list[str]:
    """Launch templates require IMDSv2 tokens with a hop limit of 1 (pods cannot reach node credentials)."""
    options = _mapping(resource.inputs.get("metadataOptions"))
    if options.get("httpEndpoint") == "disabled":
        return []
    problems = []
    if options.get("httpTokens") != "required":
        problems.append(f"metadataOptions.httpTokens must be `required` (got {options.get('httpTokens')})")
    if _number(options.get("httpPutResponseHopLimit")) != 1:
        problems.append(
            f"metadataOptions.httpPutResponseHopLimit must be 1 (got {options.get('httpPutResponseHopLimit')})"
        )
    return problems


def _documents(inputs: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for key in POLICY_INPUTS:
        if inputs.get(key) is not None:
            yield key, inputs[key]
    for index, inline in enumerate(_seq(inputs.get("inlinePolicies"))):
        if _mapping(inline).get("policy") is not None:
            yield f"inlinePolicies[{index}].policy", inline["policy"]


def _wildcard_grants(where: str, document: Any) -> list[str]:
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return [f"{where} is not valid JSON, so its actions cannot be checked"]
    problems = []
    for index, statement in enumerate(_seq(_mapping(document).get("Statement"))):
        statement = _mapping(statement)
        if statement.get("Effect", "Allow") != "Allow":
            continue  # a Deny of `*` restricts; it grants nothing
        label = f"{where} statement {statement.get('Sid') or index}"
        for action in _seq(statement.get("Action")):
            if action == "*" or str(action).endswith(":*"):
                problems.append(f"{label} allows wildcard action {action}")
        if statement.get("NotAction") is not None:
            problems.append(f"{label} allows every action but its NotAction list")
    return problems


def iam_no_wildcard_actions(resource: Resource, config: GuardrailConfig) -> list[str]:
    """IAM policy and trust documents name their actions: no `*`, no `service:*`, no Allow with NotAction."""
    return [problem for where, document in _documents(resource.inputs) for problem in _wildcard_grants(where, document)]


def _named_zone(resource: Any) -> bool:
    zone = str(resource).rpartition(":::hostedzone/")[2] if ":::hostedzone/" in str(resource) else ""
    return bool(zone) and "*" not in zone and "?" not in zone


def _unnamed_zone_grants(where: str, document: Any) -> list[str]:
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []  # iam-no-wildcard-actions reports it
    problems = []
    for index, statement in enumerate(_seq(_mapping(document).get("Statement"))):
        statement = _mapping(statement)
        if statement.get("Effect", "Allow") != "Allow":
            continue
        actions = {str(action).lower() for action in _seq(statement.get("Action"))}
        if not actions & {action.lower() for action in ROUTE53_RECORD_ACTIONS}:
            continue
        loose = [str(r) for r in _seq(statement.get("Resource")) if not _named_zone(r)]
        if loose or statement.get("NotResource") is not None:
            label = f"{where} statement {statement.get('Sid') or index}"
            problems.append(
                f"{label} changes DNS records beyond named hosted zones: {', '.join(loose) or 'NotResource'}"
            )
    return problems


def route53_named_zones(resource: Resource, config: GuardrailConfig) -> list[str]:
    """Roles that change Route 53 records (external-dns, cert-manager) name each hosted zone: no `*`."""
    return [p for where, document in _documents(resource.inputs) for p in _unnamed_zone_grants(where, document)]


def karpenter_node_class(resource: Resource, config: GuardrailConfig) -> list[str]:
    """Karpenter's nodes require IMDSv2 with hop limit 1 and declare only encrypted volumes."""
    spec = _mapping(resource.inputs.get("spec"))
    options = _mapping(spec.get("metadataOptions"))
    problems = []
    if options.get("httpTokens") != "required":
        problems.append(f"spec.metadataOptions.httpTokens must be `required` (got {options.get('httpTokens')})")
    if _number(options.get("httpPutResponseHopLimit")) != 1:
        problems.append(
            f"spec.metadataOptions.httpPutResponseHopLimit must be 1 (got {options.get('httpPutResponseHopLimit')})"
        )
    volumes = _seq(spec.get("blockDeviceMappings"))
    if not volumes:
        problems.append("spec.blockDeviceMappings declares no volume (the AMI's default may be unencrypted)")
    for index, volume in enumerate(volumes):
        if not _is_true(_mapping(_mapping(volume).get("ebs")).get("encrypted")):
            problems.append(f"spec.blockDeviceMappings[{index}].ebs.encrypted must be true")
    return problems


def node_pool_limits(resource: Resource, config: GuardrailConfig) -> list[str]:
    """Every Karpenter NodePool caps its total CPU and memory (`spec.limits`)."""
    limits = _mapping(_mapping(resource.inputs.get("spec")).get("limits"))
    missing = [key for key in ("cpu", "memory") if not str(limits.get(key) or "").strip()]
    return [f"spec.limits lacks {', '.join(missing)}: the pool could grow without bound"] if missing else []


def ebs_storage_class_encrypted(resource: Resource, config: GuardrailConfig) -> list[str]:
    """StorageClasses of the EBS provisioners create encrypted volumes (`parameters.encrypted: "true"`)."""
    if resource.inputs.get("provisioner") not in EBS_PROVISIONERS:
        return []
    encrypted = _mapping(resource.inputs.get("parameters")).get("encrypted")
    return [] if str(encrypted).lower() == "true" else [f'parameters.encrypted must be "true" (got {encrypted})']


def eks_auto_mode_complete(resource: Resource, config: GuardrailConfig) -> list[str]:
    """An Auto Mode cluster turns compute, block storage and load balancing on together, with a node role."""
    compute = _mapping(resource.inputs.get("computeConfig"))
    storage = _is_true(_mapping(_mapping(resource.inputs.get("storageConfig")).get("blockStorage")).get("enabled"))
    network = _mapping(resource.inputs.get("kubernetesNetworkConfig"))
    balancing = _is_true(_mapping(network.get("elasticLoadBalancing")).get("enabled"))
    if not (_is_true(compute.get("enabled")) or storage or balancing):
        return []
    problems = (
        []
        if _is_true(compute.get("enabled")) and storage and balancing
        else [
            "computeConfig, storageConfig.blockStorage and kubernetesNetworkConfig.elasticLoadBalancing must be "
            f"enabled together (got {_is_true(compute.get('enabled'))}, {storage}, {balancing})"
        ]
    )
    if _seq(compute.get("nodePools")) and not str(compute.get("nodeRoleArn") or "").strip():
        problems.append("computeConfig.nodePools need computeConfig.nodeRoleArn (the built-in pools' node role)")
    return problems


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
        if _is_true(subnet.inputs.get("mapPublicIpOnLaunch")):
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
