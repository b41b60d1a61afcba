"""Argo CD sync objects followed the way its controllers apply them: Applications and ApplicationSets.

- `ApplicationSet`: its generators and Go template (`platform_kit.inflate.appsets`), over the cluster
  Secrets known so far; the generated Applications are a source and are followed in turn.
- `Application` on the config repo: `kubectl kustomize <path>` with `kustomize.patches` and the
  destination namespace; on a Helm repository: the chart with its value files and
  `valuesObject`/`values` (`platform_kit.inflate.argo_sources`: precedence, multi-source `$ref` files).
  An Application whose destination is another cluster (a hub's spoke) lands its objects there: they
  are inflated and marked with that server (`Source.server`), but not followed further.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from platform_kit.inflate.appsets import CLUSTER_SECRET_LABEL, UnsupportedApplicationSet, expand_application_set
from platform_kit.inflate.argo_sources import SourceProblem, destination_server, helm_values, lends_files_only
from platform_kit.inflate.charts import ChartRef
from platform_kit.inflate.model import Source
from platform_kit.inflate.scope import group_of

if TYPE_CHECKING:
    from platform_kit.inflate.walk import Walker

ARGO_GROUP = "argoproj.io"


def follow_application(walker: Walker, obj: dict[str, Any]) -> None:
    """An Argo CD Application: each of its sources that lands objects, on its destination."""
    meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    name = str(meta.get("name"))
    destination = spec.get("destination") or {}
    server = destination_server(destination, _cluster_servers(walker))
    namespace = str(destination.get("namespace") or "")
    project = str(spec.get("project") or "default")
    sources = spec.get("sources") or []
    if not sources:  # `sources` set: Argo CD ignores `source`
        _follow_source(walker, name, spec.get("source") or {}, {}, namespace, project, server)
        return
    urls = config_repo_urls(walker.bootstrap.objects)
    refs = {
        str(s["ref"]): (walker.root.resolve() if s.get("repoURL") in urls else None) for s in sources if s.get("ref")
    }
    producing = [(index, s) for index, s in enumerate(sources) if not lends_files_only(s)]
    for index, source in producing:
        label = name if len(producing) == 1 else f"{name}[{index}]"
        _follow_source(walker, label, source, refs, namespace, project, server)


def _follow_source(
    walker: Walker,
    name: str,
    source: dict[str, Any],
    refs: dict[str, Path | None],
    destination: str,
    project: str,
    server: str,
) -> None:
    """One source of an Application: a chart, or a path of the config repo."""
    if source.get("chart"):
        helm = source.get("helm") or {}
        try:
            values = helm_values(helm, refs)
        except SourceProblem as problem:
            walker.skip(f"argocd Application/{name}: {problem}", server)
            return
        ref = ChartRef(str(source["chart"]), str(source.get("targetRevision")), str(source.get("repoURL", "")))
        walker.chart_source(
            "argocd",
            "Application",
            name,
            ref,
            values,
            release=str(helm.get("releaseName") or name),
            namespace=destination,
            project=project,
            server=server,
        )
        return
    if source.get("repoURL") not in config_repo_urls(walker.bootstrap.objects):
        walker.skip(f"argocd Application/{name}: its source {source.get('repoURL')} is not the config repo", server)
        return
    path = str(source.get("path", "."))
    if not (walker.root / path.removeprefix("./")).is_dir():  # Argo CD fails this Application only
        walker.skip(
            f"argocd Application/{name}: path {path} does not exist in the config repo (Argo CD: app path "
            "does not exist; nothing of it lands)",
            server,
        )
        return
    kustomize = source.get("kustomize") or {}
    recurse = bool((source.get("directory") or {}).get("recurse"))
    objects = walker.build(path, kustomize.get("patches"), recurse=recurse)
    objects = walker.default_namespace(
        objects, str(kustomize.get("namespace") or destination), force=bool(kustomize.get("namespace"))
    )
    walker.add(Source("argocd", "Application", name, destination, objects, project, server=server))


def _cluster_secrets(walker: Walker) -> list[dict[str, Any]]:
    """The Argo CD cluster Secrets known so far (Pulumi's, and any a source applied)."""
    return [
        known
        for known in walker.known.values()
        if known.get("kind") == "Secret"
        and ((known.get("metadata") or {}).get("labels") or {}).get(CLUSTER_SECRET_LABEL) == "cluster"
    ]


def _cluster_servers(walker: Walker) -> dict[str, str]:
    """Cluster name -> API server, from the cluster Secrets (what a destination `name` resolves to)."""
    found = {}
    for secret in _cluster_secrets(walker):
        data = secret.get("stringData") or {}
        if data.get("name") and data.get("server"):
            found[str(data["name"])] = str(data["server"])
    return found


def follow_application_set(walker: Walker, obj: dict[str, Any]) -> None:
    """An Argo CD ApplicationSet: the Applications its generators and template make, added as a source."""
    name = str((obj.get("metadata") or {}).get("name"))
    clusters = _cluster_secrets(walker)
    try:
        apps = expand_application_set(obj, clusters, walker.root.resolve(), config_repo_urls(walker.bootstrap.objects))
    except UnsupportedApplicationSet as error:
        walker.not_inflated.append(f"argocd ApplicationSet/{name}: {error}")
        return
    generators = (obj.get("spec") or {}).get("generators") or []
    remote = [c for c in clusters if destination_server({"server": (c.get("stringData") or {}).get("server")}, {})]
    if not apps and not remote and any("clusters" in generator for generator in generators):
        walker.not_inflated.append(
            f"argocd ApplicationSet/{name}: no cluster Secret of another cluster is known, its cluster "
            "generator generates nothing (spokes register from their own stacks: inflate the hub with them, "
            "platform_kit.offline.preview_inflate.inflate_fleet)"
        )
    namespace = str((obj.get("metadata") or {}).get("namespace", ""))
    for app in apps:
        app.setdefault("metadata", {}).setdefault("namespace", namespace)
    walker.add(Source("argocd", "ApplicationSet", name, namespace, apps))


def config_repo_urls(bootstrap_objects: list[dict[str, Any]]) -> set[str]:
    """The config repo as Argo CD knows it: the source of the root Application(s) Pulumi applies."""
    return {
        str(((obj.get("spec") or {}).get("source") or {}).get("repoURL"))
        for obj in bootstrap_objects
        if group_of(obj) == ARGO_GROUP and obj.get("kind") == "Application"
    }
