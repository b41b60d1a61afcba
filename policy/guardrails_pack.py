"""Adapter from pulumi-policy's arguments to platform_kit.guardrails.rules: one mandatory policy per rule.

Resource policies see one resource and its provider (for default tags); rules that need
other resources (`Rule.stack`, e.g. a node group's subnets, found through the
`subnetIds` property dependencies) run as stack policies. A rule that applies to the
AWS provider (required-tags) is checked through the provider of every resource, since
the provider is what each resource carries. Values unknown during preview raise
pulumi-policy's UnknownValueError inside the rule: that rule is then reported as not
runnable during preview and runs at `pulumi up`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from platform_kit.guardrails.rules import (
    AWS_PROVIDER_TYPE,
    RULES,
    SUBNET_TYPE,
    GuardrailConfig,
    Resource,
    Rule,
    evaluate,
    provider_default_tags,
)

PACK_NAME = "platform-kit-guardrails"
STACK_ENVIRONMENT_KEY = "platform:environment"
"""The stack config key naming the environment (what `render --check` uses too)."""

_STRINGS = {"type": "array", "items": {"type": "string"}}
CONFIG_SCHEMAS = {
    "private-endpoint-in-prod": PolicyConfigSchema(
        properties={
            "environment": {"type": "string", "description": f"overrides the stack's `{STACK_ENVIRONMENT_KEY}`"},
            "strictEnvironments": {**_STRINGS, "default": list(GuardrailConfig().strict_environments)},
        }
    ),
    "required-tags": PolicyConfigSchema(
        properties={"requiredTags": {**_STRINGS, "default": list(GuardrailConfig().required_tags)}}
    ),
}
"""Per-policy settings (`--policy-pack-config`); the other rules take none."""


def stack_environment() -> str | None:
    """The previewed stack's `platform:environment`, from the stack config Pulumi hands the pack."""
    import pulumi.runtime

    value = pulumi.runtime.get_config(STACK_ENVIRONMENT_KEY)
    return str(value) if value else None


def guardrail_config(policy_config: Mapping[str, Any]) -> GuardrailConfig:
    """Rule settings from a policy's config, the stack config and the defaults."""
    defaults = GuardrailConfig()
    return GuardrailConfig(
        environment=policy_config.get("environment") or stack_environment(),
        strict_environments=tuple(policy_config.get("strictEnvironments") or defaults.strict_environments),
        required_tags=tuple(policy_config.get("requiredTags") or defaults.required_tags),
    )


def provider_tags(provider: Any) -> Mapping[str, str]:
    """Default tags of an AWS provider (empty for any other or no provider)."""
    if provider is None or provider.resource_type != AWS_PROVIDER_TYPE:
        return {}
    return provider_default_tags(provider.props.get("defaultTags"))


def subjects(rule: Rule, args: ResourceValidationArgs) -> list[Resource]:
    """What `rule` evaluates when `args`' resource is validated: the resource and/or its provider."""
    found = []
    if rule.applies(args.resource_type):
        found.append(Resource(args.resource_type, args.name, args.props, provider_tags(args.provider)))
    provider = args.provider
    if provider is not None and rule.applies(provider.resource_type):
        found.append(Resource(provider.resource_type, provider.name, provider.props))
    return found


def resource_policy(rule: Rule) -> ResourceValidationPolicy:
    """A mandatory resource policy running `rule` on each resource (and its provider)."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        config = guardrail_config(args.get_config())
        for subject in subjects(rule, args):
            for violation in evaluate(rule, subject, config):
                report_violation(str(violation))

    return ResourceValidationPolicy(
        name=rule.id,
        description=rule.description,
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=CONFIG_SCHEMAS.get(rule.id),
    )


def stack_policy(rule: Rule) -> StackValidationPolicy:
    """A mandatory stack policy running `rule` with each node group's subnets resolved."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config = guardrail_config(args.get_config())
        for resource in args.resources:
            if not rule.applies(resource.resource_type):
                continue
            subnets = tuple(
                Resource(d.resource_type, d.name, d.props, provider_tags(d.provider))
                for d in resource.property_dependencies.get("subnetIds", [])
                if d.resource_type == SUBNET_TYPE
            )
            subject = Resource(
                resource.resource_type, resource.name, resource.props, provider_tags(resource.provider), subnets
            )
            for violation in evaluate(rule, subject, config):
                report_violation(str(violation), resource.urn)

    return StackValidationPolicy(
        name=rule.id,
        description=rule.description,
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=CONFIG_SCHEMAS.get(rule.id),
    )


def policies() -> list[ResourceValidationPolicy | StackValidationPolicy]:
    """One mandatory policy per guardrail, in rule order."""
    return [stack_policy(rule) if rule.stack else resource_policy(rule) for rule in RULES]
