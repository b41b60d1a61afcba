"""What the guardrails see and report: resources, their type tokens, config, violations and rules.

Values are read through the `Mapping` and `Sequence` protocols only (`as_list`, `as_mapping`), so
pulumi-policy's unknown-checking proxies pass through unchanged.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Mapping, Sequence
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


def as_list(value: Any) -> list[Any]:
    """A list from a list-like input; a scalar becomes a one-element list, None an empty one."""
    if value is None:
        return []
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def as_mapping(value: Any) -> Mapping[str, Any]:
    """The value when it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def is_true(value: Any) -> bool:
    """True for `true` however the provider types it (pulumi-aws passes some booleans as strings)."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def as_number(value: Any) -> float | None:
    """The value as a number, or None when it is not one."""
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
    tags = as_mapping(as_mapping(value).get("tags"))
    return {str(k): str(v) for k, v in tags.items()}


def effective_tags(resource: Resource) -> dict[str, str]:
    """The resource's own tags over its provider's default tags."""
    own = as_mapping(resource.inputs.get("tags"))
    return {**resource.default_tags, **{str(k): str(v) for k, v in own.items()}}


def imdsv2_problems(options: Mapping[str, Any], where: str) -> list[str]:
    """Why instance metadata options (at `where`, e.g. `metadataOptions`) do not require IMDSv2 with hop limit 1."""
    problems = []
    if options.get("httpTokens") != "required":
        problems.append(f"{where}.httpTokens must be `required` (got {options.get('httpTokens')})")
    if as_number(options.get("httpPutResponseHopLimit")) != 1:
        problems.append(f"{where}.httpPutResponseHopLimit must be 1 (got {options.get('httpPutResponseHopLimit')})")
    return problems
