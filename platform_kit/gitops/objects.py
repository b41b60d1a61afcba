"""Pulumi resources from the pure builders' manifests (one body, applied as-is)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

MANAGED_BY = {"app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "platform-kit"}
"""Labels on the objects Pulumi keeps owning after the hand-over."""


def with_annotations(body: dict[str, Any], annotations: Mapping[str, str]) -> dict[str, Any]:
    """A copy of a manifest's metadata with extra annotations (for Pulumi-only hints)."""
    metadata = dict(body["metadata"])
    metadata["annotations"] = {**metadata.get("annotations", {}), **annotations}
    return metadata


def custom_resource(
    name: str, body: dict[str, Any], opts: pulumi.ResourceOptions, annotations: Mapping[str, str] | None = None
) -> k8s.apiextensions.CustomResource:
    """The custom resource `body` describes, with Pulumi-only `annotations` (e.g. `pulumi.com/waitFor`)."""
    return k8s.apiextensions.CustomResource(
        name,
        api_version=body["apiVersion"],
        kind=body["kind"],
        metadata=with_annotations(body, annotations) if annotations else body["metadata"],
        spec=body["spec"],
        opts=opts,
    )
