"""Flux sync objects followed the way its controllers apply them: Kustomizations and HelmReleases.

- `Kustomization` on the config repo: `kubectl kustomize <path>` (a generated kustomization where the
  path has none), then `postBuild` substitution (inline `substitute` over `substituteFrom`
  ConfigMaps/Secrets), then `targetNamespace`.
- `HelmRelease`: the chart from the store (its `HelmRepository` gives the URL), rendered with
  `spec.values`; `valuesFrom` and `chartRef` sources are listed as not inflated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from platform_kit.inflate.charts import ChartRef
from platform_kit.inflate.model import Source
from platform_kit.inflate.substitute import substitute_objects

if TYPE_CHECKING:
    from platform_kit.inflate.walk import Walker

FLUX_KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io"
FLUX_HELM_GROUP = "helm.toolkit.fluxcd.io"
FLUX_SOURCE_GROUP = "source.toolkit.fluxcd.io"


def follow_kustomization(walker: Walker, obj: dict[str, Any]) -> None:
    """A Flux Kustomization: its path built, substituted and namespaced, added as a source."""
    meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    name, namespace = str(meta.get("name")), str(meta.get("namespace", ""))
    source_ref = spec.get("sourceRef") or {}
    if source_ref.get("kind") != "GitRepository" or not _is_config_repo_source(walker, source_ref, namespace):
        walker.not_inflated.append(f"flux Kustomization/{name}: its source is not the config repo")
        return
    objects = walker.build(str(spec.get("path", ".")), spec.get("patches"), recurse=True)
    post_build = spec.get("postBuild") or {}
    if post_build:
        undefined: set[str] = set()
        objects = substitute_objects(objects, _variables(walker, post_build, namespace, name), undefined)
        if undefined:
            walker.undefined[f"flux Kustomization/{name}"] = sorted(undefined)
    target = str(spec.get("targetNamespace") or "")
    objects = walker.default_namespace(objects, target, force=bool(target))
    walker.add(Source("flux", "Kustomization", name, target, objects))


def _is_config_repo_source(walker: Walker, source_ref: dict[str, Any], namespace: str) -> bool:
    """The Kustomization's GitRepository is one Pulumi applied (the config repo)."""
    repo_namespace = str(source_ref.get("namespace") or namespace)
    return walker.lookup("GitRepository", repo_namespace, str(source_ref.get("name"))) is not None


def _variables(walker: Walker, post_build: dict[str, Any], namespace: str, name: str) -> dict[str, str]:
    """Post-build variables: `substituteFrom` ConfigMaps/Secrets in order, then the inline `substitute`."""
    variables: dict[str, str] = {}
    for ref in post_build.get("substituteFrom") or []:
        found = walker.lookup(str(ref.get("kind")), namespace, str(ref.get("name")))
        if found is None:
            if not ref.get("optional"):
                walker.not_inflated.append(
                    f"flux Kustomization/{name}: substituteFrom {ref.get('kind')}/{ref.get('name')} not found"
                )
            continue
        variables.update({str(k): str(v) for k, v in (found.get("data") or {}).items()})
        variables.update({str(k): str(v) for k, v in (found.get("stringData") or {}).items()})
    variables.update({str(k): str(v) for k, v in (post_build.get("substitute") or {}).items()})
    return variables


def follow_helm_release(walker: Walker, obj: dict[str, Any]) -> None:
    """A Flux HelmRelease: its chart rendered from the store with `spec.values`."""
    meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    name, namespace = str(meta.get("name")), str(meta.get("namespace", ""))
    label = f"flux HelmRelease/{name}"
    if spec.get("valuesFrom"):
        walker.not_inflated.append(f"{label}: valuesFrom is read in the cluster; rendered with spec.values only")
    chart = (spec.get("chart") or {}).get("spec") or {}
    if not chart:
        walker.not_inflated.append(f"{label}: chartRef sources are not inflated offline")
        return
    source_ref = chart.get("sourceRef") or {}
    repository = walker.lookup(
        str(source_ref.get("kind")), str(source_ref.get("namespace") or namespace), str(source_ref.get("name"))
    )
    url = str(((repository or {}).get("spec") or {}).get("url", ""))
    ref = ChartRef(str(chart.get("chart")), str(chart.get("version")), url)
    target = str(spec.get("targetNamespace") or namespace)
    release = str(spec.get("releaseName") or (f"{target}-{name}" if spec.get("targetNamespace") else name))
    walker.chart_source("flux", "HelmRelease", name, ref, spec.get("values") or {}, release=release, namespace=target)
