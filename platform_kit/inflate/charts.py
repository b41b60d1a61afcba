"""A local store of packaged Helm charts and offline rendering with Helm's own engine.

The store is a directory of `<name>-<version>.tgz` archives (what `helm pull` writes).
Rendering uses the `helm-python-sdk` package (Helm's engine as a shared library: no helm
binary, no cluster, no network), with `is_install=True` like a first install. A chart's
`crds/` (its subcharts' too) come first, as Helm and the agents apply them before templates.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_kit.inflate.kustomize import KustomizeError, parse_documents

MISSING_SUBCHART_DEFAULTS: dict[str, dict[str, Any]] = {
    "kube-state-metrics": {"kubeRBACProxy": {"enabled": False}},
    "prometheus-node-exporter": {"kubeRBACProxy": {"enabled": False}},
}
"""Defaults of absent subcharts that a parent's templates read (kube-prometheus-stack reads
`kubeRBACProxy.enabled` of both; false in kube-state-metrics 6.3.0 and prometheus-node-exporter
4.47.3). Filled in only when the subchart is missing and the values leave the key unset."""


class ChartError(Exception):
    """A chart is missing from the store, or Helm could not render it."""


@dataclass(frozen=True)
class ChartRef:
    """One chart at one version, as an agent or Pulumi asks for it."""

    name: str
    """Chart name (`kube-prometheus-stack`)."""
    version: str
    """Exact chart version (`77.6.2`)."""
    repository: str = ""
    """Where it comes from (Helm repository URL or OCI address), for messages only."""

    @property
    def archive_name(self) -> str:
        """File name of the packaged chart in a store."""
        return f"{self.name}-{self.version}.tgz"


@dataclass(frozen=True)
class RenderedChart:
    """What a chart rendered to."""

    objects: list[dict[str, Any]]
    """CRDs first, then every template's objects, in Helm's template order."""
    missing_subcharts: list[str]
    """Enabled dependencies the archive does not contain (`grafana 9.4.5`): their objects are absent."""


def helm_module() -> Any:
    """The helm_python module, or ChartError saying how to install it."""
    try:
        import helm_python
    except ImportError:
        raise ChartError(
            "rendering charts needs the helm-python-sdk package: pip install 'platform-kit[validate]'"
        ) from None
    return helm_python


class ChartStore:
    """Packaged charts in one directory, loaded once each."""

    def __init__(self, directory: Path | str):
        self.directory = Path(directory)

    def archive(self, ref: ChartRef) -> Path:
        """Path of the archive for `ref`; ChartError naming the file and how to get it when absent."""
        path = self.directory / ref.archive_name
        if not path.is_file():
            where = f" from {ref.repository}" if ref.repository else ""
            raise ChartError(
                f"chart {ref.name} {ref.version} is not in {self.directory} (expected {ref.archive_name}; "
                f"`helm pull` it{where} into that directory)"
            )
        return path

    def render(self, ref: ChartRef, values: dict[str, Any], *, release: str, namespace: str) -> RenderedChart:
        """Render `ref` with `values` as release `release` in `namespace`."""
        chart = _load(self.archive(ref))
        helm = helm_module()
        missing = _missing_subcharts(chart, values)
        for name, _ in missing:
            values = {**values, name: _fill(values.get(name), MISSING_SUBCHART_DEFAULTS.get(name, {}))}
        try:
            rendered = chart.render(values, name=release, namespace=namespace, is_install=True)
        except helm.HelmError as error:
            raise ChartError(f"chart {ref.name} {ref.version} failed to render: {error}") from None
        objects = list(_crds(self.archive(ref)))
        for path in sorted(rendered, key=_template_order):
            if path.endswith("NOTES.txt"):
                continue
            objects += _documents(rendered[path], path)
        return RenderedChart(objects, [f"{name} {version}".strip() for name, version in missing])


@functools.cache
def _load(archive: Path) -> Any:
    helm = helm_module()
    try:
        return helm.Chart.load(str(archive))
    except helm.HelmError as error:
        raise ChartError(f"{archive} is not a loadable chart: {error}") from None


@functools.cache
def _crds(archive: Path) -> tuple[dict[str, Any], ...]:
    """The CRDs in a chart's (and its subcharts') `crds/`, parsed once per archive; callers must not mutate them."""
    objects: list[dict[str, Any]] = []
    for crd in _load(archive).crds:
        objects += _documents(crd.get("data", ""), f"{archive.name}/{crd.get('name')}")
    return tuple(objects)


def _template_order(path: str) -> tuple[int, str]:
    """Parent chart templates before subcharts', each in path order (stable, reviewable output)."""
    return (path.count("/charts/"), path)


HELM_DOCUMENT_SEPARATOR = re.compile(r"(?:^|\s*\n)---\s*")
"""How Helm splits rendered templates into manifests (`releaseutil.SplitManifests`): a `---` then any
whitespace, so `---# comment` (cert-manager's rbac.yaml after `{{-` trimming) starts a document too."""


def _documents(text: str, source: str) -> list[dict[str, Any]]:
    try:
        objects = [obj for part in HELM_DOCUMENT_SEPARATOR.split(text) for obj in parse_documents(part, source)]
    except KustomizeError as error:
        raise ChartError(str(error)) from None
    return [item for obj in objects for item in _flattened(obj)]


def _flattened(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """A `v1` `List` becomes its items, as Helm's client (and so Flux and Argo CD) apply it."""
    if obj.get("apiVersion") == "v1" and obj.get("kind") == "List":
        return [item for entry in obj.get("items") or [] if isinstance(entry, dict) for item in _flattened(entry)]
    return [obj]


def _missing_subcharts(chart: Any, values: dict[str, Any]) -> list[tuple[str, str]]:
    """Declared dependencies that are enabled by their condition but absent from the archive."""
    loaded = {dependency.get("name") for dependency in chart.dependencies}
    merged = chart.merge_values(values)
    missing = []
    for dependency in chart.metadata.get("dependencies") or []:
        name = dependency.get("alias") or dependency.get("name")
        if name in loaded or dependency.get("name") in loaded:
            continue
        if _condition_holds(dependency.get("condition"), merged):
            missing.append((str(name), str(dependency.get("version", ""))))
    return missing


def _condition_holds(condition: str | None, values: dict[str, Any]) -> bool:
    """Helm's rule: the first condition path that resolves to a boolean decides; none resolving means enabled."""
    for path in (condition or "").split(","):
        node: Any = values
        for part in path.strip().split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, bool):
            return node
    return True


def _fill(values: Any, defaults: dict[str, Any]) -> dict[str, Any]:
    """`values` with every key of `defaults` it leaves unset filled in (recursively)."""
    filled = dict(values) if isinstance(values, dict) else {}
    for key, default in defaults.items():
        if isinstance(default, dict):
            filled[key] = _fill(filled.get(key), default)
        else:
            filled.setdefault(key, default)
    return filled


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`override` merged into a copy of `base`, maps recursively (how Helm layers values)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
