"""Adapt the offline engine's recorded registrations to guardrail resources (no Pulumi import).

Resolves what the pure rules leave to the caller: each resource's AWS provider
(through its `provider` reference, `<urn>::<id>`) for default tags, and a node
group's `subnetIds` to the recorded subnets through the id the engine gave each
resource (under the mock engine, `resource_id`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from platform_kit.guardrails.rules import (
    AWS_PROVIDER_TYPE,
    NODE_GROUP_TYPE,
    SUBNET_TYPE,
    GuardrailConfig,
    Resource,
    Violation,
    check,
    provider_default_tags,
)


class Recorded(Protocol):
    """What the adaptor reads of a recorded registration (`platform_kit.offline.engine.Registration`)."""

    urn: str
    type: str
    name: str
    provider: str | None

    @property
    def inputs(self) -> dict[str, Any]: ...


def provider_urn(reference: str | None) -> str | None:
    """The URN part of a provider reference `<urn>::<id>`."""
    return reference.rsplit("::", 1)[0] if reference else None


def to_resources(registrations: Iterable[Recorded], resource_id: Callable[[Recorded], str]) -> list[Resource]:
    """Guardrail resources with real (unmasked) inputs, provider default tags and node subnets resolved."""
    recorded = list(registrations)
    inputs = {r.urn: r.inputs for r in recorded}
    types = {r.urn: r.type for r in recorded}

    def default_tags(registration: Recorded) -> Mapping[str, str]:
        urn = provider_urn(registration.provider)
        if urn is None or types.get(urn) != AWS_PROVIDER_TYPE:
            return {}
        return provider_default_tags(inputs[urn].get("defaultTags"))

    base = {r.urn: Resource(r.type, r.name, inputs[r.urn], default_tags(r)) for r in recorded}
    subnets = {resource_id(r): base[r.urn] for r in recorded if r.type == SUBNET_TYPE}
    resources = []
    for r in recorded:
        resource = base[r.urn]
        if r.type == NODE_GROUP_TYPE:
            used = [subnets[i] for i in resource.inputs.get("subnetIds") or [] if i in subnets]
            resource = Resource(resource.type, resource.name, resource.inputs, resource.default_tags, tuple(used))
        resources.append(resource)
    return resources


def check_registrations(
    registrations: Iterable[Recorded], config: GuardrailConfig, resource_id: Callable[[Recorded], str]
) -> list[Violation]:
    """Every guardrail violation among recorded registrations."""
    return check(to_resources(registrations, resource_id), config)
