"""Argo CD Application sources read the way its repo-server reads them: destinations and Helm values.

Helm values of a chart source (Argo CD 3.0; docs: user-guide/helm.md, "Helm Value Precedence",
and user-guide/multiple_sources.md, "Helm Value files from external Git repository"):

- every `valueFiles` entry in order, each merged over the previous (`helm template --values`
  repeated: maps merge key by key, anything else is replaced), then
- the inline values, merged last: `valuesObject` when it is set, else `values` (one or the other,
  never both: `ApplicationSourceHelm.ValuesYAML` in pkg/apis/application/v1alpha1), which the
  repo-server passes as the last `--values` file (util/helm/cmd.go `template`),

so the precedence is the documented `parameters > valuesObject > values > valueFiles > the chart's
values.yaml`. `parameters` and `fileParameters` (`--set`) are not evaluated: `SourceProblem`.

A value file `$<ref>/<path>` is `<path>` in the repository of the Application's source whose `ref`
is `<ref>` (multi-source Applications only; `$<ref>` only at the start of the path). A missing file
is skipped with `ignoreMissingValueFiles: true`; otherwise Argo CD fails the sync (`SourceProblem`).
A source that sets `ref` and no `path` (nor `chart`) only lends its files: it lands no objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from platform_kit.inflate.charts import deep_merge

IN_CLUSTER_SERVER = "https://kubernetes.default.svc"
"""The cluster Argo CD runs in, as a destination server."""
IN_CLUSTER_NAME = "in-cluster"
"""The same cluster, as a destination name."""


class SourceProblem(Exception):
    """An Application source this offline reading cannot follow the way Argo CD would (one sentence)."""


def destination_server(destination: Mapping[str, Any], servers_by_name: Mapping[str, str]) -> str:
    """Where an Application lands its objects: "" for Argo CD's own cluster, else the remote API server URL
    (a destination `name` is looked up among the cluster Secrets; an unknown name stays `name:<name>`)."""
    server = str(destination.get("server") or "")
    name = str(destination.get("name") or "")
    if not server and name:
        server = IN_CLUSTER_SERVER if name == IN_CLUSTER_NAME else servers_by_name.get(name, f"name:{name}")
    return "" if server in ("", IN_CLUSTER_SERVER) else server


def lends_files_only(source: Mapping[str, Any]) -> bool:
    """A `ref` source without `path` or `chart`: Argo CD reads value files from it and lands nothing."""
    return bool(source.get("ref")) and not source.get("path") and not source.get("chart")


def helm_values(helm: Mapping[str, Any], refs: Mapping[str, Path | None]) -> dict[str, Any]:
    """The values Argo CD renders a chart source with: its value files, then its inline values.

    `refs` maps each `ref` of the Application's sources to the checkout of its repository (None when
    that repository is not available offline)."""
    if helm.get("parameters") or helm.get("fileParameters"):
        raise SourceProblem("helm parameters/fileParameters are not evaluated offline")
    values: dict[str, Any] = {}
    for entry in helm.get("valueFiles") or []:
        text = _value_file(str(entry), refs, bool(helm.get("ignoreMissingValueFiles")))
        loaded = yaml.safe_load(text) if text is not None else None
        if loaded is not None and not isinstance(loaded, dict):
            raise SourceProblem(f"value file {entry} is not a mapping")
        values = deep_merge(values, loaded or {})
    inline = helm.get("valuesObject")
    if inline is None:
        inline = yaml.safe_load(helm.get("values") or "") or {}
    if not isinstance(inline, dict):
        raise SourceProblem("helm values are not a mapping")
    return deep_merge(values, inline)


def _value_file(entry: str, refs: Mapping[str, Path | None], ignore_missing: bool) -> str | None:
    """The text of one value file, or None when it is missing and may be."""
    if not entry.startswith("$"):
        raise SourceProblem(f"value file {entry} is read from the chart itself, which is not done offline")
    ref, _, relative = entry[1:].partition("/")
    if ref not in refs:
        raise SourceProblem(f"value file {entry} names ${ref}, which no source of the Application declares as ref")
    root = refs[ref]
    if root is None:
        raise SourceProblem(f"value file {entry}: the ${ref} repository is not the config repo")
    path = (root / relative).resolve()
    if not path.is_relative_to(root.resolve()):
        raise SourceProblem(f"value file {entry} leaves its repository")
    if not path.is_file():
        if ignore_missing:
            return None
        raise SourceProblem(f"value file {entry} does not exist (and ignoreMissingValueFiles is not set)")
    return path.read_text()
