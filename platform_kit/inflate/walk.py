"""Follow what the GitOps agent would apply, from Pulumi's bootstrap objects down to chart templates.

Starting from the objects Pulumi applies (the root Flux Kustomization or Argo CD Application,
the metadata ConfigMap or cluster Secret) and the charts Pulumi installs, every sync object
found is expanded the way its controller does:

- Flux `Kustomization` on the config repo: `kubectl kustomize <path>`, then `postBuild`
  substitution (inline `substitute` over `substituteFrom` ConfigMaps/Secrets), `targetNamespace`.
- Flux `HelmRelease`: the chart from the store, rendered with `spec.values`.
- Argo CD `ApplicationSet`: its generators and Go template (`platform_kit.inflate.appsets`).
- Argo CD `Application` on the config repo: `kubectl kustomize <path>` with `kustomize.patches`
  and the destination namespace; on a Helm repository: the chart with its value files and
  `valuesObject`/`values` (`platform_kit.inflate.argo_sources`: precedence, multi-source `$ref` files).
  An Application whose destination is another cluster (a hub's spoke) lands its objects there:
  they are inflated and marked with that server (`Source.server`), but not followed further
  (no agent on that cluster reads their sync objects).

What cannot be expanded offline (other ApplicationSet generators, sources outside the config
repo, a chart missing from the store, `valuesFrom`, Helm `parameters`, an ApplicationSet whose
cluster generators match no cluster Secret) is listed in `Inflation.not_inflated`, never
skipped silently.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from platform_kit.inflate.appsets import CLUSTER_SECRET_LABEL, UnsupportedApplicationSet, expand_application_set
from platform_kit.inflate.argo_sources import SourceProblem, destination_server, helm_values, lends_files_only
from platform_kit.inflate.charts import ChartError, ChartRef, ChartStore
from platform_kit.inflate.kustomize import KUSTOMIZATION_FILES, KustomizeError, kustomize_build, parse_documents
from platform_kit.inflate.scope import Scopes, group_of
from platform_kit.inflate.substitute import substitute_objects

FLUX_KUSTOMIZE_GROUP = "kustomize.toolkit.fluxcd.io"
FLUX_HELM_GROUP = "helm.toolkit.fluxcd.io"
FLUX_SOURCE_GROUP = "source.toolkit.fluxcd.io"
ARGO_GROUP = "argoproj.io"


class InflationError(Exception):
    """The config repo cannot be built the way the agent would build it (a kustomize or chart error)."""


@dataclass(frozen=True)
class HelmInstall:
    """A chart Pulumi installs itself (a `helm.v3.Release`)."""

    chart: ChartRef
    """The chart and version."""
    release: str
    """Helm release name."""
    namespace: str
    """Namespace of the release."""
    values: dict[str, Any]
    """Values Pulumi passes."""


@dataclass(frozen=True)
class Bootstrap:
    """What Pulumi puts on the cluster before the agent takes over."""

    objects: list[dict[str, Any]]
    """Objects Pulumi applies (secret values masked)."""
    charts: list[HelmInstall] = field(default_factory=list)
    """Charts Pulumi installs."""


@dataclass
class Source:
    """One unit that lands objects on the cluster: Pulumi, a Kustomization, a HelmRelease or an Application."""

    applier: str
    """Who applies it: `pulumi`, `flux` or `argocd`."""
    kind: str
    """`objects`, `helm.v3.Release`, `Kustomization`, `HelmRelease` or `Application`."""
    name: str
    """Name of the sync object (or of the Pulumi release)."""
    namespace: str
    """Namespace its namespaced objects land in when they name none."""
    objects: list[dict[str, Any]]
    """The fully inflated objects."""
    project: str | None = None
    """Argo CD AppProject that deploys it."""
    chart: ChartRef | None = None
    """The chart, for chart sources."""
    missing_subcharts: list[str] = field(default_factory=list)
    """Enabled chart dependencies absent from the store (their objects are not here)."""
    server: str = ""
    """API server its objects land on: "" for the environment's own cluster, else an Argo CD
    Application's remote destination (a spoke of a hub)."""

    @property
    def label(self) -> str:
        """`<applier> <kind>/<name>`, for reports."""
        return f"{self.applier} {self.kind}/{self.name}"


@dataclass
class Inflation:
    """Every object one environment lands on the cluster, grouped by the source that applies it."""

    sources: list[Source]
    """In the order they were found (bootstrap first, then depth-first through sync objects)."""
    not_inflated: list[str]
    """What could not be expanded offline, one sentence each."""
    undefined_variables: dict[str, list[str]]
    """Flux sources whose substitution met variables without a value (Flux makes them empty)."""
    scopes: Scopes
    """Cluster-scoped kinds, learned from the built CRDs too."""
    not_inflated_on: dict[str, list[str]] = field(default_factory=dict)
    """The lines of `not_inflated` about what an Application would land on a remote server, by server."""

    def objects(self) -> Iterator[tuple[Source, dict[str, Any]]]:
        """Every (source, object) pair."""
        for source in self.sources:
            for obj in source.objects:
                yield source, obj

    def object_count(self) -> int:
        """Number of inflated objects."""
        return sum(len(source.objects) for source in self.sources)

    def servers(self) -> list[str]:
        """The remote API servers some source lands objects on (a hub's spokes), in order of appearance."""
        return list(dict.fromkeys(source.server for source in self.sources if source.server))

    def on(self, server: str) -> Inflation:
        """The sources that land objects on `server` ("" for the environment's own cluster); the same
        not-inflated list, undefined variables and scopes."""
        sources = [source for source in self.sources if source.server == server]
        remote = {line for lines in self.not_inflated_on.values() for line in lines}
        if server:
            not_inflated = list(self.not_inflated_on.get(server, []))
        else:
            not_inflated = [line for line in self.not_inflated if line not in remote]
        undefined = self.undefined_variables if not server else {}
        return Inflation(sources, not_inflated, undefined, self.scopes, {server: not_inflated} if server else {})


def inflate(files: Mapping[str, str], bootstrap: Bootstrap, store: ChartStore) -> Inflation:
    """Inflate one environment: its config-repo tree (`path -> content`) as its agent would apply it."""
    with tempfile.TemporaryDirectory(prefix="platform-kit-inflate-") as workdir:
        root = Path(workdir) / "repo"
        for path, content in files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        return _Walker(root, store, bootstrap).run()


class _Walker:
    def __init__(self, root: Path, store: ChartStore, bootstrap: Bootstrap):
        self.root = root
        self.store = store
        self.bootstrap = bootstrap
        self.scopes = Scopes(bootstrap.objects)
        self.sources: list[Source] = []
        self.not_inflated: list[str] = []
        self.not_inflated_on: dict[str, list[str]] = {}
        self.undefined: dict[str, list[str]] = {}
        self.known: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.seen: set[tuple[str, str, str]] = set()
        self.overlays = 0

    def run(self) -> Inflation:
        self._remember(self.bootstrap.objects)
        self.sources.append(Source("pulumi", "objects", "bootstrap", "", list(self.bootstrap.objects)))
        for install in self.bootstrap.charts:
            self._chart_source(
                "pulumi",
                "helm.v3.Release",
                install.release,
                install.chart,
                install.values,
                release=install.release,
                namespace=install.namespace,
            )
        self._visit_all(self.bootstrap.objects)
        return Inflation(self.sources, self.not_inflated, self.undefined, self.scopes, self.not_inflated_on)

    # -- bookkeeping ---------------------------------------------------------

    def _remember(self, objects: list[dict[str, Any]]) -> None:
        self.scopes.learn(objects)
        for obj in objects:
            meta = obj.get("metadata") or {}
            self.known[(str(obj.get("kind")), str(meta.get("namespace", "")), str(meta.get("name")))] = obj

    def _lookup(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return self.known.get((kind, namespace, name))

    def _visit_all(self, objects: list[dict[str, Any]]) -> None:
        for obj in objects:
            meta = obj.get("metadata") or {}
            key = (f"{obj.get('apiVersion')}/{obj.get('kind')}", str(meta.get("namespace", "")), str(meta.get("name")))
            if key in self.seen:
                continue
            self.seen.add(key)
            group, kind = group_of(obj), obj.get("kind")
            if group == FLUX_KUSTOMIZE_GROUP and kind == "Kustomization":
                self._flux_kustomization(obj)
            elif group == FLUX_HELM_GROUP and kind == "HelmRelease":
                self._flux_helm_release(obj)
            elif group == ARGO_GROUP and kind == "Application":
                self._argo_application(obj)
            elif group == ARGO_GROUP and kind == "ApplicationSet":
                self._argo_application_set(obj)

    def _skip(self, line: str, server: str = "") -> None:
        """Record what is not inflated (and, for a remote destination, on which server)."""
        self.not_inflated.append(line)
        if server:
            self.not_inflated_on.setdefault(server, []).append(line)

    def _add(self, source: Source) -> None:
        self.sources.append(source)
        if source.server:  # lands on another cluster: no agent there reads its sync objects
            self.scopes.learn(source.objects)
            return
        self._remember(source.objects)
        self._visit_all(source.objects)

    # -- building ------------------------------------------------------------

    def _build(self, path: str, patches: list[dict[str, Any]] | None = None, *, recurse: bool) -> list[dict[str, Any]]:
        """What the agent builds from `path`: kustomize when it holds a kustomization, else its manifests.

        Without a kustomization file, Flux generates one over every manifest below the path
        (`recurse`), Argo CD applies the directory's own manifests (`directory.recurse` to descend).
        """
        directory = (self.root / path.removeprefix("./")).resolve()
        if not directory.is_relative_to(self.root.resolve()) or not directory.is_dir():
            raise InflationError(f"path {path} is not a directory of the config repo")
        if not any((directory / name).is_file() for name in KUSTOMIZATION_FILES):
            return self._plain_manifests(directory, recurse)
        target = directory
        if patches:
            self.overlays += 1
            target = self.root.parent / "overlays" / str(self.overlays)
            target.mkdir(parents=True)
            kustomization = {"resources": [os.path.relpath(directory, target)], "patches": patches}
            (target / "kustomization.yaml").write_text(yaml.safe_dump(kustomization, sort_keys=False))
        try:
            return kustomize_build(target)
        except KustomizeError as error:
            message = str(error).replace(str(target), path).replace(str(self.root.resolve()) + "/", "")
            raise InflationError(message) from None

    def _plain_manifests(self, directory: Path, recurse: bool) -> list[dict[str, Any]]:
        """The manifests of a directory without a kustomization; a subdirectory with one is built whole.

        That is how Flux generates the missing kustomization (subdirectories that are kustomizations
        become resources); Argo CD's directory source reads files only.
        """
        objects = []
        for entry in sorted(directory.iterdir()):
            relative = entry.relative_to(self.root.resolve()).as_posix()
            if entry.is_dir() and recurse:
                if any((entry / name).is_file() for name in KUSTOMIZATION_FILES):
                    objects += self._build(relative, recurse=True)
                else:
                    objects += self._plain_manifests(entry, recurse)
            elif entry.is_file() and entry.suffix in (".yaml", ".yml", ".json"):
                try:
                    documents = parse_documents(entry.read_text(), relative)
                except KustomizeError as error:
                    raise InflationError(str(error)) from None
                objects += [doc for doc in documents if "apiVersion" in doc and "kind" in doc]
        return objects

    def _default_namespace(self, objects: list[dict[str, Any]], namespace: str, force: bool) -> list[dict[str, Any]]:
        """Put namespaced objects into `namespace` (every one when `force`, like Flux's targetNamespace)."""
        result = []
        for obj in objects:
            if namespace and self.scopes.is_namespaced(obj):
                meta = obj.setdefault("metadata", {})
                if force or not meta.get("namespace"):
                    meta["namespace"] = namespace
            result.append(obj)
        return result

    def _chart_source(
        self,
        applier: str,
        kind: str,
        name: str,
        ref: ChartRef,
        values: dict[str, Any],
        *,
        release: str,
        namespace: str,
        project: str | None = None,
        server: str = "",
    ) -> None:
        try:
            rendered = self.store.render(ref, copy.deepcopy(values), release=release, namespace=namespace)
        except ChartError as error:
            self._skip(f"{applier} {kind}/{name}: {error}", server)
            return
        objects = self._default_namespace(rendered.objects, namespace, force=False)
        source = Source(applier, kind, name, namespace, objects, project, ref, rendered.missing_subcharts, server)
        if rendered.missing_subcharts:
            self._skip(
                f"{source.label}: subcharts not in the chart store, their objects are missing: "
                + ", ".join(rendered.missing_subcharts),
                server,
            )
        self._add(source)

    # -- Flux ----------------------------------------------------------------

    def _flux_kustomization(self, obj: dict[str, Any]) -> None:
        meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
        name, namespace = str(meta.get("name")), str(meta.get("namespace", ""))
        source_ref = spec.get("sourceRef") or {}
        if source_ref.get("kind") != "GitRepository" or not self._is_config_repo_source(source_ref, namespace):
            self.not_inflated.append(f"flux Kustomization/{name}: its source is not the config repo")
            return
        objects = self._build(str(spec.get("path", ".")), spec.get("patches"), recurse=True)
        post_build = spec.get("postBuild") or {}
        if post_build:
            undefined: set[str] = set()
            objects = substitute_objects(objects, self._flux_variables(post_build, namespace, name), undefined)
            if undefined:
                self.undefined[f"flux Kustomization/{name}"] = sorted(undefined)
        target = str(spec.get("targetNamespace") or "")
        objects = self._default_namespace(objects, target, force=bool(target))
        self._add(Source("flux", "Kustomization", name, target, objects))

    def _is_config_repo_source(self, source_ref: dict[str, Any], namespace: str) -> bool:
        repo_namespace = str(source_ref.get("namespace") or namespace)
        return self._lookup("GitRepository", repo_namespace, str(source_ref.get("name"))) is not None

    def _flux_variables(self, post_build: dict[str, Any], namespace: str, name: str) -> dict[str, str]:
        variables: dict[str, str] = {}
        for ref in post_build.get("substituteFrom") or []:
            found = self._lookup(str(ref.get("kind")), namespace, str(ref.get("name")))
            if found is None:
                if not ref.get("optional"):
                    self.not_inflated.append(
                        f"flux Kustomization/{name}: substituteFrom {ref.get('kind')}/{ref.get('name')} not found"
                    )
                continue
            variables.update({str(k): str(v) for k, v in (found.get("data") or {}).items()})
            variables.update({str(k): str(v) for k, v in (found.get("stringData") or {}).items()})
        variables.update({str(k): str(v) for k, v in (post_build.get("substitute") or {}).items()})
        return variables

    def _flux_helm_release(self, obj: dict[str, Any]) -> None:
        meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
        name, namespace = str(meta.get("name")), str(meta.get("namespace", ""))
        label = f"flux HelmRelease/{name}"
        if spec.get("valuesFrom"):
            self.not_inflated.append(f"{label}: valuesFrom is read in the cluster; rendered with spec.values only")
        chart = (spec.get("chart") or {}).get("spec") or {}
        if not chart:
            self.not_inflated.append(f"{label}: chartRef sources are not inflated offline")
            return
        source_ref = chart.get("sourceRef") or {}
        repository = self._lookup(
            str(source_ref.get("kind")), str(source_ref.get("namespace") or namespace), str(source_ref.get("name"))
        )
        url = str(((repository or {}).get("spec") or {}).get("url", ""))
        ref = ChartRef(str(chart.get("chart")), str(chart.get("version")), url)
        target = str(spec.get("targetNamespace") or namespace)
        release = str(spec.get("releaseName") or (f"{target}-{name}" if spec.get("targetNamespace") else name))
        self._chart_source(
            "flux", "HelmRelease", name, ref, spec.get("values") or {}, release=release, namespace=target
        )

    # -- Argo CD -------------------------------------------------------------

    def _argo_application(self, obj: dict[str, Any]) -> None:
        meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
        name = str(meta.get("name"))
        destination = spec.get("destination") or {}
        server = destination_server(destination, self._cluster_servers())
        namespace = str(destination.get("namespace") or "")
        project = str(spec.get("project") or "default")
        sources = spec.get("sources") or []
        if not sources:  # `sources` set: Argo CD ignores `source`
            self._argo_source(name, spec.get("source") or {}, {}, namespace, project, server)
            return
        urls = self._config_repo_urls()
        refs = {
            str(s["ref"]): (self.root.resolve() if s.get("repoURL") in urls else None) for s in sources if s.get("ref")
        }
        producing = [(index, s) for index, s in enumerate(sources) if not lends_files_only(s)]
        for index, source in producing:
            label = name if len(producing) == 1 else f"{name}[{index}]"
            self._argo_source(label, source, refs, namespace, project, server)

    def _argo_source(
        self,
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
                self._skip(f"argocd Application/{name}: {problem}", server)
                return
            ref = ChartRef(str(source["chart"]), str(source.get("targetRevision")), str(source.get("repoURL", "")))
            self._chart_source(
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
        if source.get("repoURL") not in self._config_repo_urls():
            self._skip(f"argocd Application/{name}: its source {source.get('repoURL')} is not the config repo", server)
            return
        path = str(source.get("path", "."))
        if not (self.root / path.removeprefix("./")).is_dir():  # Argo CD fails this Application only
            self._skip(
                f"argocd Application/{name}: path {path} does not exist in the config repo (Argo CD: app path "
                "does not exist; nothing of it lands)",
                server,
            )
            return
        kustomize = source.get("kustomize") or {}
        recurse = bool((source.get("directory") or {}).get("recurse"))
        objects = self._build(path, kustomize.get("patches"), recurse=recurse)
        objects = self._default_namespace(
            objects, str(kustomize.get("namespace") or destination), force=bool(kustomize.get("namespace"))
        )
        self._add(Source("argocd", "Application", name, destination, objects, project, server=server))

    def _cluster_secrets(self) -> list[dict[str, Any]]:
        return [
            known
            for known in self.known.values()
            if known.get("kind") == "Secret"
            and ((known.get("metadata") or {}).get("labels") or {}).get(CLUSTER_SECRET_LABEL) == "cluster"
        ]

    def _cluster_servers(self) -> dict[str, str]:
        """Cluster name -> API server, from the cluster Secrets (what a destination `name` resolves to)."""
        found = {}
        for secret in self._cluster_secrets():
            data = secret.get("stringData") or {}
            if data.get("name") and data.get("server"):
                found[str(data["name"])] = str(data["server"])
        return found

    def _argo_application_set(self, obj: dict[str, Any]) -> None:
        name = str((obj.get("metadata") or {}).get("name"))
        clusters = self._cluster_secrets()
        try:
            apps = expand_application_set(obj, clusters, self.root.resolve(), self._config_repo_urls())
        except UnsupportedApplicationSet as error:
            self.not_inflated.append(f"argocd ApplicationSet/{name}: {error}")
            return
        generators = (obj.get("spec") or {}).get("generators") or []
        remote = [c for c in clusters if destination_server({"server": (c.get("stringData") or {}).get("server")}, {})]
        if not apps and not remote and any("clusters" in generator for generator in generators):
            self.not_inflated.append(
                f"argocd ApplicationSet/{name}: no cluster Secret of another cluster is known, its cluster "
                "generator generates nothing (spokes register from their own stacks: inflate the hub with them, "
                "platform_kit.offline.preview_inflate.inflate_fleet)"
            )
        namespace = str((obj.get("metadata") or {}).get("namespace", ""))
        for app in apps:
            app.setdefault("metadata", {}).setdefault("namespace", namespace)
        self._add(Source("argocd", "ApplicationSet", name, namespace, apps))

    def _config_repo_urls(self) -> set[str]:
        """The config repo as Argo CD knows it: the source of the root Application(s) Pulumi applies."""
        return {
            str(((obj.get("spec") or {}).get("source") or {}).get("repoURL"))
            for obj in self.bootstrap.objects
            if group_of(obj) == ARGO_GROUP and obj.get("kind") == "Application"
        }
