"""Config-repo objects the guardrails judge (pure): Karpenter's EC2NodeClasses and NodePools, StorageClasses.

They reach the cluster through GitOps, not Pulumi, so `render --check` reads them from the
rendered config repo and types them as Pulumi would (`kubernetes:<apiVersion>:<kind>`);
the policy pack sees the same types when a program applies them through Pulumi.
"""

from __future__ import annotations

from collections.abc import Mapping

import yaml

from platform_kit.guardrails.rules import NODE_CLASS_TYPE, NODE_POOL_TYPE, STORAGE_CLASS_TYPE, Resource

JUDGED_TYPES = (NODE_CLASS_TYPE, NODE_POOL_TYPE, STORAGE_CLASS_TYPE)
"""Types of config-repo objects with rules."""


def manifest_resources(files: Mapping[str, str]) -> list[Resource]:
    """The judged objects of a config-repo tree (path -> text), named `<path>/<object name>`."""
    found = []
    for path, text in sorted(files.items()):
        if not path.endswith((".yaml", ".yml")):
            continue
        try:
            documents = list(yaml.safe_load_all(text))
        except yaml.YAMLError:
            continue  # not a manifest (validation reports broken YAML)
        for document in documents:
            if not isinstance(document, dict):
                continue
            type_ = f"kubernetes:{document.get('apiVersion')}:{document.get('kind')}"
            if type_ in JUDGED_TYPES:
                name = (document.get("metadata") or {}).get("name")
                found.append(Resource(type_, f"{path}/{name}", document))
    return found
