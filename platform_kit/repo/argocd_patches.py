"""Kustomize patches that fill `${PLATFORM_*}` placeholders from Argo CD's cluster Secret (pure)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from platform_kit.config.metadata import VARIABLES, annotation_template

_PLACEHOLDER = re.compile(r"\$\{(PLATFORM_[A-Z0-9_]+)\}")
_FIELD_OF = {name: field for field, name in VARIABLES.items()}


def _substituted(value: Any) -> Any:
    """`value` with every placeholder replaced, everything else kept (for whole-list patches)."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda match: annotation_template(_FIELD_OF[match.group(1)]), value)
    if isinstance(value, dict):
        return {key: _substituted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_substituted(item) for item in value]
    return value


def _templated(value: Any) -> Any:
    """`value` with `${PLATFORM_*}` replaced by cluster Secret templates, or None if it has none.

    Maps keep only the keys that change (a merge patch); a list that contains a placeholder
    anywhere is patched whole, because merge patches replace lists rather than merge them.
    """
    if isinstance(value, str):
        return _substituted(value) if _PLACEHOLDER.search(value) else None
    if isinstance(value, dict):
        kept = {key: _templated(item) for key, item in value.items()}
        kept = {key: item for key, item in kept.items() if item is not None}
        return kept or None
    if isinstance(value, list):
        return _substituted(value) if any(_templated(item) is not None for item in value) else None
    return None


def contract_patches(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Kustomize patches that fill every `${PLATFORM_*}` placeholder of `objects` from the cluster Secret.

    Argo CD does not substitute variables; an ApplicationSet renders these patches (Go
    templates over the cluster Secret's annotations) into the Application it generates,
    so the same shared manifests serve Flux and Argo CD environments.
    """
    patches = []
    for obj in objects:
        body = {key: _templated(value) for key, value in obj.items() if key not in ("apiVersion", "kind")}
        body = {key: value for key, value in body.items() if value is not None}
        if not body:
            continue
        metadata = {"name": obj["metadata"]["name"]}
        if "namespace" in obj["metadata"]:
            metadata["namespace"] = obj["metadata"]["namespace"]
        body["metadata"] = metadata | body.get("metadata", {})
        patch = {"apiVersion": obj["apiVersion"], "kind": obj["kind"], **body}
        patches.append(
            {
                "target": {"kind": obj["kind"], "name": obj["metadata"]["name"]},
                "patch": yaml.safe_dump(patch, sort_keys=False, width=1_000_000),
            }
        )
    return patches
