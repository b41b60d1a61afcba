"""Follow what the GitOps agent would apply, from Pulumi's bootstrap objects down to chart templates.

Starting from the objects Pulumi applies (the root Flux Kustomization or Argo CD Application,
the metadata ConfigMap or cluster Secret) and the charts Pulumi installs, every sync object
found is expanded the way its controller does: Flux Kustomizations and HelmReleases
(`platform_kit.inflate.follow_flux`), Argo CD Applications and ApplicationSets
(`platform_kit.inflate.follow_argocd`). The `Walker` here keeps what is known (objects by kind,
namespace and name; cluster scopes), builds config-repo paths the way the agent does, renders
charts and visits every new object once.

What cannot be expanded offline (other ApplicationSet generators, sources outside the config
repo, a chart missing from the store, `valuesFrom`, Helm `parameters`, an ApplicationSet whose
cluster generators match no cluster Secret) is listed in `Inflation.not_inflated`, never
skipped silently.
"""

from __future__ import annotations

import copy
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from platform_kit.inflate.charts import ChartError, ChartRef, ChartStore
from platform_kit.inflate.follow_argocd import (
    ARGO_GROUP,
    follow_application,
    follow_application_set,
)
from platform_kit.inflate.follow_flux import (
    FLUX_HELM_GROUP,
    FLUX_KUSTOMIZE_GROUP,
    follow_helm_release,
    follow_kustomization,
)
from platform_kit.inflate.kustomize import KUSTOMIZATION_FILES, KustomizeError, kustomize_build, parse_documents
from platform_kit.inflate.model import Bootstrap, HelmInstall, Inflation, InflationError, Source
from platform_kit.inflate.scope import Scopes, group_of

__all__ = ["Bootstrap", "HelmInstall", "Inflation", "InflationError", "Source", "Walker", "inflate"]


def inflate(files: Mapping[str, str], bootstrap: Bootstrap, store: ChartStore) -> Inflation:
    """Inflate one environment: its config-repo tree (`path -> content`) as its agent would apply it."""
    with tempfile.TemporaryDirectory(prefix="platform-kit-inflate-") as workdir:
        root = Path(workdir) / "repo"
        for path, content in files.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        return Walker(root, store, bootstrap).run()


class Walker:
    """Follows one environment's config repo from its bootstrap; `run` returns the inflation."""

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
        """Pulumi's objects and charts first, then every sync object among them, depth-first."""
        self.remember(self.bootstrap.objects)
        self.sources.append(Source("pulumi", "objects", "bootstrap", "", list(self.bootstrap.objects)))
        for install in self.bootstrap.charts:
            self.chart_source(
                "pulumi",
                "helm.v3.Release",
                install.release,
                install.chart,
                install.values,
                release=install.release,
                namespace=install.namespace,
            )
        self.visit_all(self.bootstrap.objects)
        return Inflation(self.sources, self.not_inflated, self.undefined, self.scopes, self.not_inflated_on)

    # -- bookkeeping ---------------------------------------------------------

    def remember(self, objects: list[dict[str, Any]]) -> None:
        """Know these objects by kind, namespace and name (and learn the scopes of their CRDs)."""
        self.scopes.learn(objects)
        for obj in objects:
            meta = obj.get("metadata") or {}
            self.known[(str(obj.get("kind")), str(meta.get("namespace", "")), str(meta.get("name")))] = obj

    def lookup(self, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        """A known object, or None."""
        return self.known.get((kind, namespace, name))

    def visit_all(self, objects: list[dict[str, Any]]) -> None:
        """Follow every sync object among `objects` not followed yet."""
        for obj in objects:
            meta = obj.get("metadata") or {}
            key = (f"{obj.get('apiVersion')}/{obj.get('kind')}", str(meta.get("namespace", "")), str(meta.get("name")))
            if key in self.seen:
                continue
            self.seen.add(key)
            group, kind = group_of(obj), obj.get("kind")
            if group == FLUX_KUSTOMIZE_GROUP and kind == "Kustomization":
                follow_kustomization(self, obj)
            elif group == FLUX_HELM_GROUP and kind == "HelmRelease":
                follow_helm_release(self, obj)
            elif group == ARGO_GROUP and kind == "Application":
                follow_application(self, obj)
            elif group == ARGO_GROUP and kind == "ApplicationSet":
                follow_application_set(self, obj)

    def skip(self, line: str, server: str = "") -> None:
        """Record what is not inflated (and, for a remote destination, on which server)."""
        self.not_inflated.append(line)
        if server:
            self.not_inflated_on.setdefault(server, []).append(line)

    def add(self, source: Source) -> None:
        """Add a source; follow its objects when they land on this cluster."""
        self.sources.append(source)
        if source.server:  # lands on another cluster: no agent there reads its sync objects
            self.scopes.learn(source.objects)
            return
        self.remember(source.objects)
        self.visit_all(source.objects)

    # -- building ------------------------------------------------------------

    def build(self, path: str, patches: list[dict[str, Any]] | None = None, *, recurse: bool) -> list[dict[str, Any]]:
        """What the agent builds from `path`: kustomize when it holds a kustomization, else its manifests.

        Without a kustomization file, Flux generates one over every manifest below the path
        (`recurse`), Argo CD applies the directory's own manifests (`directory.recurse` to descend).
        """
        directory = (self.root / path.removeprefix("./")).resolve()
        if not directory.is_relative_to(self.root.resolve()) or not directory.is_dir():
            raise InflationError(f"path {path} is not a directory of the config repo")
        if not any((directory / name).is_file() for name in KUSTOMIZATION_FILES):
            return self.plain_manifests(directory, recurse)
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

    def plain_manifests(self, directory: Path, recurse: bool) -> list[dict[str, Any]]:
        """The manifests of a directory without a kustomization; a subdirectory with one is built whole.

        That is how Flux generates the missing kustomization (subdirectories that are kustomizations
        become resources); Argo CD's directory source reads files only.
        """
        objects = []
        for entry in sorted(directory.iterdir()):
            relative = entry.relative_to(self.root.resolve()).as_posix()
            if entry.is_dir() and recurse:
                if any((entry / name).is_file() for name in KUSTOMIZATION_FILES):
                    objects += self.build(relative, recurse=True)
                else:
                    objects += self.plain_manifests(entry, recurse)
            elif entry.is_file() and entry.suffix in (".yaml", ".yml", ".json"):
                try:
                    documents = parse_documents(entry.read_text(), relative)
                except KustomizeError as error:
                    raise InflationError(str(error)) from None
                objects += [doc for doc in documents if "apiVersion" in doc and "kind" in doc]
        return objects

    def default_namespace(self, objects: list[dict[str, Any]], namespace: str, force: bool) -> list[dict[str, Any]]:
        """Put namespaced objects into `namespace` (every one when `force`, like Flux's targetNamespace)."""
        result = []
        for obj in objects:
            if namespace and self.scopes.is_namespaced(obj):
                meta = obj.setdefault("metadata", {})
                if force or not meta.get("namespace"):
                    meta["namespace"] = namespace
            result.append(obj)
        return result

    def chart_source(
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
        """Render a chart from the store as a source (a chart error, or missing subcharts, is listed)."""
        try:
            rendered = self.store.render(ref, copy.deepcopy(values), release=release, namespace=namespace)
        except ChartError as error:
            self.skip(f"{applier} {kind}/{name}: {error}", server)
            return
        objects = self.default_namespace(rendered.objects, namespace, force=False)
        source = Source(applier, kind, name, namespace, objects, project, ref, rendered.missing_subcharts, server)
        if rendered.missing_subcharts:
            self.skip(
                f"{source.label}: subcharts not in the chart store, their objects are missing: "
                + ", ".join(rendered.missing_subcharts),
                server,
            )
        self.add(source)
