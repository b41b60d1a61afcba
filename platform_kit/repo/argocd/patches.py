"""Kustomize patches that carry `${PLATFORM_*}` values where Argo CD does not substitute them (pure).

Argo CD never substitutes variables, so in an Argo CD environment the `${PLATFORM_*}`
placeholders are filled by kustomize patches on two levels:

- `placeholder_patches`: the `infra-configs` Application (in Git) restates every
  placeholder field of the shared stage objects as a patch of its own source.
- `filled_patches`: the root Application (owned by Pulumi) patches the layer
  Applications of `clusters/<env>/`, replacing every placeholder in them (repository
  URL and branch, chart values, the patches above) with the metadata contract's value.

So Git holds the same placeholders as for Flux and never a literal, and what is
applied is concrete, as with Flux's `postBuild.substituteFrom`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml

_PLACEHOLDER = re.compile(r"\$\{(PLATFORM_[A-Z0-9_]+)\}")

Resolve = Callable[[str], str]
"""What a placeholder's variable name (`PLATFORM_REGION`) becomes."""


def _keep(name: str) -> str:
    return "${" + name + "}"


def substituted(value: Any, resolve: Resolve) -> Any:
    """`value` with every placeholder resolved, everything else kept (for whole-list patches)."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda match: resolve(match.group(1)), value)
    if isinstance(value, dict):
        return {key: substituted(item, resolve) for key, item in value.items()}
    if isinstance(value, list):
        return [substituted(item, resolve) for item in value]
    return value


def templated(value: Any, resolve: Resolve) -> Any:
    """`value` reduced to its placeholder fields, resolved; None if it has none.

    Maps keep only the keys that change (a merge patch); a list that contains a placeholder
    anywhere is patched whole, because merge patches replace lists rather than merge them.
    """
    if isinstance(value, str):
        return substituted(value, resolve) if _PLACEHOLDER.search(value) else None
    if isinstance(value, dict):
        kept = {key: templated(item, resolve) for key, item in value.items()}
        kept = {key: item for key, item in kept.items() if item is not None}
        return kept or None
    if isinstance(value, list):
        return substituted(value, resolve) if any(templated(item, resolve) is not None for item in value) else None
    return None


def _merge_patches(objects: list[dict[str, Any]], resolve: Resolve, group: bool) -> list[dict[str, Any]]:
    """One merge patch per object with placeholders, targeting it by kind and name."""
    patches = []
    for obj in objects:
        body = {key: templated(value, resolve) for key, value in obj.items() if key not in ("apiVersion", "kind")}
        body = {key: value for key, value in body.items() if value is not None}
        if not body:
            continue
        metadata = {"name": obj["metadata"]["name"]}
        if "namespace" in obj["metadata"]:
            metadata["namespace"] = obj["metadata"]["namespace"]
        metadata |= body.pop("metadata", {})
        patch = {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": metadata, **body}
        target = {"kind": obj["kind"], "name": obj["metadata"]["name"]}
        if group and "/" in obj["apiVersion"]:
            target = {"group": obj["apiVersion"].split("/")[0], **target}
        patches.append({"target": target, "patch": _dump(patch)})
    return patches


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings (patches inside patches) as literal blocks, so they stay readable."""


_BlockDumper.add_representer(
    str,
    lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None),
)


def _dump(patch: dict[str, Any]) -> str:
    return yaml.dump(patch, Dumper=_BlockDumper, sort_keys=False, width=1_000_000)


def placeholder_patches(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Patches restating every `${PLATFORM_*}` field of `objects`, for the root to fill (see module doc)."""
    return _merge_patches(objects, _keep, group=False)


def filled_patches(objects: list[dict[str, Any]], variables: Mapping[str, str]) -> list[dict[str, Any]]:
    """Patches setting every `${PLATFORM_*}` field of `objects` to its value in `variables`."""

    def resolve(name: str) -> str:
        if name not in variables:
            raise KeyError(f"no value for ${{{name}}} in the metadata contract")
        return variables[name]

    return _merge_patches(objects, resolve, group=True)
