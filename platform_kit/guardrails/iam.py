"""Guardrails over IAM policy and trust documents: no wildcard actions, DNS changes only in named zones."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from platform_kit.guardrails.resources import GuardrailConfig, Resource, as_list, as_mapping

ROUTE53_RECORD_ACTIONS = ("route53:ChangeResourceRecordSets",)
"""Actions that change DNS records: granted only on named hosted zones."""

POLICY_INPUTS = ("assumeRolePolicy", "policy")
"""Inputs of `aws:iam/*` resources that hold an IAM policy document (JSON)."""


def _documents(inputs: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for key in POLICY_INPUTS:
        if inputs.get(key) is not None:
            yield key, inputs[key]
    for index, inline in enumerate(as_list(inputs.get("inlinePolicies"))):
        if as_mapping(inline).get("policy") is not None:
            yield f"inlinePolicies[{index}].policy", inline["policy"]


def _wildcard_grants(where: str, document: Any) -> list[str]:
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return [f"{where} is not valid JSON, so its actions cannot be checked"]
    problems = []
    for index, statement in enumerate(as_list(as_mapping(document).get("Statement"))):
        statement = as_mapping(statement)
        if statement.get("Effect", "Allow") != "Allow":
            continue  # a Deny of `*` restricts; it grants nothing
        label = f"{where} statement {statement.get('Sid') or index}"
        for action in as_list(statement.get("Action")):
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
    for index, statement in enumerate(as_list(as_mapping(document).get("Statement"))):
        statement = as_mapping(statement)
        if statement.get("Effect", "Allow") != "Allow":
            continue
        actions = {str(action).lower() for action in as_list(statement.get("Action"))}
        if not actions & {action.lower() for action in ROUTE53_RECORD_ACTIONS}:
            continue
        loose = [str(r) for r in as_list(statement.get("Resource")) if not _named_zone(r)]
        if loose or statement.get("NotResource") is not None:
            label = f"{where} statement {statement.get('Sid') or index}"
            problems.append(
                f"{label} changes DNS records beyond named hosted zones: {', '.join(loose) or 'NotResource'}"
            )
    return problems


def route53_named_zones(resource: Resource, config: GuardrailConfig) -> list[str]:
    """Roles that change Route 53 records (external-dns, cert-manager) name each hosted zone: no `*`."""
    return [p for where, document in _documents(resource.inputs) for p in _unnamed_zone_grants(where, document)]
