"""Flux's post-build variable substitution (`spec.postBuild`), applied to built objects.

Mirrors kustomize-controller: `${NAME}`, `${NAME:=default}` and `${NAME:-default}` are replaced
in each object's YAML; `$${...}` escapes to a literal `${...}`; an undefined variable without a
default becomes the empty string (Flux's non-strict default) and is reported; an object
annotated `kustomize.toolkit.fluxcd.io/substitute: disabled` is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from platform_kit.inflate.kustomize import parse_documents

DISABLE_ANNOTATION = "kustomize.toolkit.fluxcd.io/substitute"
"""Annotation value `disabled` turns substitution off for one object."""

_VARIABLE = re.compile(r"\$(\$?)\{([_a-zA-Z][_a-zA-Z0-9]*)(?::([=-])([^}]*))?\}")


def substitute_text(text: str, variables: Mapping[str, str], undefined: set[str]) -> str:
    """`text` with every variable reference replaced; names used without a value go into `undefined`."""

    def replace(match: re.Match[str]) -> str:
        escaped, name, operator, default = match.groups()
        if escaped:
            return match.group(0)[1:]
        if name in variables:
            return variables[name]
        if operator:
            return default
        undefined.add(name)
        return ""

    return _VARIABLE.sub(replace, text)


def substitute_objects(
    objects: list[dict[str, Any]], variables: Mapping[str, str], undefined: set[str]
) -> list[dict[str, Any]]:
    """Each object with its variables substituted (objects that disable substitution unchanged)."""
    result = []
    for obj in objects:
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        if annotations.get(DISABLE_ANNOTATION) == "disabled":
            result.append(obj)
            continue
        text = yaml.safe_dump(obj, sort_keys=False, width=1 << 20)
        result += parse_documents(substitute_text(text, variables, undefined), "post-build substitution")
    return result
