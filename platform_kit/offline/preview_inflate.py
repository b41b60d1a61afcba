"""`render --inflate`: turn an offline stack run into every object that lands on the cluster.

The bootstrap (objects and charts Pulumi applies) comes from the run's registrations with
secrets masked, the config repo from the seed; `platform_kit.inflate` does the rest. Output:
`inflated/<NN>-<applier>-<kind>-<name>.yaml`, one multi-document file per source (what an Application
lands on a remote cluster: `inflated/spokes/<cluster>/<NN>-...yaml`), plus `inflated/inflation.json`
(sources, object counts, remote clusters, what was not inflated and why).

A fleet hub is inflated with its spokes (`inflate_fleet`): each spoke's stack run registers the
spoke's cluster Secret on the hub (through a provider for the hub, `platform_kit.gitops.hub`),
and seeds the spoke's own files into the shared config repo; with both, the hub's ApplicationSets
generate each spoke's Applications and every layer and chart landing on a spoke is inflated with the
spoke's own values (`Source.server` is the spoke's API server; `spoke_inflation` is one spoke's view).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from platform_kit.inflate import Bootstrap, ChartRef, ChartStore, HelmInstall, Inflation, inflate
from platform_kit.inflate.appsets import CLUSTER_SECRET_LABEL
from platform_kit.naming import type_token
from platform_kit.offline.engine import SECRET_MARKER, Registration
from platform_kit.offline.preview import StackRun
from platform_kit.repo.manifest import dump_yaml
from platform_kit.text import plural

HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release"
"""Pulumi's Helm release resource: a chart Pulumi installs itself."""
HUB_REGISTRATION_TYPE = type_token("gitops", "HubRegistration")
"""The spoke's registration component: its Kubernetes provider reaches the hub, not the spoke."""
KUBERNETES_PROVIDER_TYPE = "pulumi:providers:kubernetes"

INFLATED_HEADER = "# Inflated offline by platform-kit render --inflate: what this source lands on the cluster.\n"
"""First line of every inflated file (never applied: a review artefact)."""

DEFAULT_CHART_DIR = Path("tests") / "fixtures" / "charts"
"""Chart store used when none is given: the vendored charts, relative to the project directory."""


def bootstrap_of(run: StackRun) -> Bootstrap:
    """What Pulumi applies on this run's cluster: plain Kubernetes objects and Helm releases (secrets masked).

    Objects a spoke's run applies on its hub (its cluster Secret) are not here: `hub_objects`."""
    objects: list[dict[str, Any]] = []
    charts: list[HelmInstall] = []
    on_hub = _hub_providers(run)
    for registration in run.registrations:
        if not registration.custom or not registration.type.startswith("kubernetes:"):
            continue
        if _provider_name(registration) in on_hub:
            continue
        if registration.type == HELM_RELEASE_TYPE:
            charts.append(_helm_install(registration))
        elif not registration.type.endswith("Patch") and "kind" in registration.masked_inputs:
            objects.append(_with_cluster_identity(registration))
    return Bootstrap(objects, charts)


def hub_objects(run: StackRun) -> list[dict[str, Any]]:
    """The objects a spoke's run applies on its hub through the registration's provider (its cluster Secret:
    labels, annotations, `name` and `server`; credentials masked)."""
    on_hub = _hub_providers(run)
    return [
        _with_cluster_identity(registration)
        for registration in run.registrations
        if registration.custom
        and registration.type.startswith("kubernetes:")
        and _provider_name(registration) in on_hub
        and "kind" in registration.masked_inputs
    ]


def _hub_providers(run: StackRun) -> set[str]:
    """Names of the Kubernetes providers a HubRegistration creates (they reach the hub)."""
    registrations = {r.urn for r in run.registrations if r.type == HUB_REGISTRATION_TYPE}
    return {r.name for r in run.registrations if r.type == KUBERNETES_PROVIDER_TYPE and r.parent in registrations}


def _provider_name(registration: Registration) -> str:
    """The provider's resource name in a provider reference (`<urn>::<id>`, the urn ending `::<name>`)."""
    parts = (registration.provider or "").split("::")
    return parts[-2] if len(parts) >= 2 else ""


def _with_cluster_identity(registration: Registration) -> dict[str, Any]:
    """Masked inputs; an Argo CD cluster Secret keeps its `name` and `server` (identities, not credentials),
    which ApplicationSets' cluster generator hands to their templates."""
    masked = registration.masked_inputs
    labels = (masked.get("metadata") or {}).get("labels") or {}
    if masked.get("kind") != "Secret" or labels.get(CLUSTER_SECRET_LABEL) != "cluster":
        return masked
    data = registration.inputs.get("stringData") or {}
    return {**masked, "stringData": {"name": data.get("name"), "server": data.get("server"), "config": SECRET_MARKER}}


def _helm_install(registration: Registration) -> HelmInstall:
    inputs = registration.masked_inputs
    chart = str(inputs["chart"])
    repository = str((inputs.get("repositoryOpts") or {}).get("repo", ""))
    if chart.startswith("oci://"):
        repository, chart = chart.rsplit("/", 1)
    return HelmInstall(
        chart=ChartRef(chart, str(inputs.get("version", "")), repository),
        release=str(inputs.get("name") or registration.name),
        namespace=str(inputs.get("namespace") or "default"),
        values=dict(inputs.get("values") or {}),
    )


def inflate_run(run: StackRun, charts: Path | str) -> Inflation:
    """Inflate a stack run with the packaged charts in `charts`."""
    return inflate(run.seeded_files(), bootstrap_of(run), ChartStore(charts))


def inflate_fleet(hub: StackRun, spokes: Sequence[StackRun], charts: Path | str) -> Inflation:
    """The hub inflated as its Argo CD applies it once `spokes` registered.

    Bootstrap: the hub's, plus every spoke's objects on the hub (its cluster Secret). Config repo:
    the hub's seed, then each spoke's (create-only, as seeding is: a path already seeded keeps its
    content). The fleet's ApplicationSets then generate each spoke's Applications, and whatever they
    land on a spoke is inflated there (`Source.server`); see `spoke_inflation`."""
    files = dict(hub.seeded_files())
    for spoke in spokes:
        for path, content in spoke.seeded_files().items():
            files.setdefault(path, content)
    bootstrap = bootstrap_of(hub)
    objects = [*bootstrap.objects, *(obj for spoke in spokes for obj in hub_objects(spoke))]
    return inflate(files, Bootstrap(objects, bootstrap.charts), ChartStore(charts))


def spoke_server(run: StackRun) -> str:
    """The API server a spoke registered on its hub (its cluster Secret's `server`)."""
    servers = [str((obj.get("stringData") or {}).get("server") or "") for obj in hub_objects(run)]
    if len(servers) != 1 or not servers[0]:
        raise ValueError(f"stack {run.stack} registers no single cluster Secret on a hub")
    return servers[0]


def spoke_inflation(fleet: Inflation, spoke: StackRun, charts: Path | str) -> Inflation:
    """Everything that lands on one hub-managed spoke: what its own run applies there (Pulumi), then every
    source of the hub's inflation (`inflate_fleet`) whose destination is the spoke's server. Not inflated:
    the spoke run's own, and what the hub's Applications for this spoke could not land."""
    own = inflate_run(spoke, charts)
    remote = fleet.on(spoke_server(spoke))
    not_inflated = [*own.not_inflated, *remote.not_inflated]
    return Inflation([*own.sources, *remote.sources], not_inflated, own.undefined_variables, fleet.scopes)


SPOKES_DIR = "spokes"
"""Under `inflated/`: one directory per remote cluster an Application lands objects on (a hub's spoke)."""


def cluster_directories(inflation: Inflation) -> dict[str, str]:
    """Remote API server -> its directory under `inflated/spokes/`: the name its Argo CD cluster Secret gives
    it (the spoke's cluster name), else the server itself, either made a safe file name (and unique)."""
    named: dict[str, str] = {}
    for _, obj in inflation.objects():
        labels = (obj.get("metadata") or {}).get("labels") or {}
        data = obj.get("stringData") or {}
        if obj.get("kind") == "Secret" and labels.get(CLUSTER_SECRET_LABEL) == "cluster" and data.get("server"):
            named.setdefault(str(data["server"]), str(data.get("name") or ""))
    directories: dict[str, str] = {}
    for server in inflation.servers():
        base = _safe_name(named.get(server) or server.split("://", 1)[-1])
        directory, suffix = base, 1
        while directory in directories.values():
            suffix += 1
            directory = f"{base}-{suffix}"
        directories[server] = directory
    return directories


def _safe_name(text: str) -> str:
    """A file name from any text: runs of other characters than letters, digits, `.`, `_`, `-` become `-`."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip(".-") or "cluster"


def write_inflated(inflation: Inflation, out_dir: Path | str) -> Path:
    """Write a new `inflated/` under out_dir (never replacing one: `write_render` stages it with the rest of
    a render and swaps the whole output in); returns its path.

    Sources landing on this environment's cluster: `inflated/<NN>-<applier>-<kind>-<name>.yaml`; sources an
    Application lands on a remote cluster (a hub's spoke): `inflated/spokes/<cluster>/<NN>-...yaml`, numbered
    per directory in the order found, indexed with their `server` and `cluster` in `inflation.json`."""
    target = Path(out_dir) / "inflated"
    target.mkdir(parents=True)
    directories = cluster_directories(inflation)
    counters: dict[str, int] = {}
    index = []
    for source in inflation.sources:
        folder = f"{SPOKES_DIR}/{directories[source.server]}/" if source.server else ""
        number = counters[folder] = counters.get(folder, 0) + 1
        kind = source.kind.lower().replace(".", "-")
        name = f"{folder}{number:02d}-{source.applier}-{kind}-{source.name}.yaml"
        if source.objects:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_text(dump_yaml(source.objects, header=INFLATED_HEADER))
        entry = {
            "file": name if source.objects else None,
            "applier": source.applier,
            "kind": source.kind,
            "name": source.name,
            "namespace": source.namespace,
            "project": source.project,
            "chart": f"{source.chart.name} {source.chart.version}" if source.chart else None,
            "objects": len(source.objects),
        }
        if source.server:
            entry.update({"server": source.server, "cluster": directories[source.server]})
        index.append(entry)
    summary: dict[str, Any] = {
        "objects": inflation.object_count(),
        "sources": index,
        "notInflated": inflation.not_inflated,
        "undefinedVariables": inflation.undefined_variables,
    }
    if directories:
        summary["clusters"] = [
            _cluster_entry(inflation, server, directory) for server, directory in directories.items()
        ]
    (target / "inflation.json").write_text(json.dumps(summary, indent=2) + "\n")
    return target


def _cluster_entry(inflation: Inflation, server: str, directory: str) -> dict[str, Any]:
    """`inflation.json`'s summary of one remote cluster: where its files are, its counts, what did not land."""
    remote = inflation.on(server)
    return {
        "cluster": directory,
        "server": server,
        "directory": f"{SPOKES_DIR}/{directory}",
        "sources": len(remote.sources),
        "objects": remote.object_count(),
        "notInflated": remote.not_inflated,
    }


def describe_inflation(inflation: Inflation) -> str:
    """A few lines for the CLI: object counts per source (with the server of a remote one), each remote
    cluster's totals, and what was not inflated."""
    lines = [f"inflated {plural(inflation.object_count(), 'object')} from {plural(len(inflation.sources), 'source')}"]
    lines += [
        f"  {len(source.objects):5d}  {source.label}" + (f" on {source.server}" if source.server else "")
        for source in inflation.sources
    ]
    for server, directory in cluster_directories(inflation).items():
        remote = inflation.on(server)
        lines.append(
            f"  on {directory} ({server}): {plural(remote.object_count(), 'object')} from "
            f"{plural(len(remote.sources), 'source')}, in inflated/{SPOKES_DIR}/{directory}/"
        )
    lines += [f"  not inflated: {reason}" for reason in inflation.not_inflated]
    lines += [
        f"  undefined variables in {label}: {', '.join(names)}"
        for label, names in inflation.undefined_variables.items()
    ]
    return "\n".join(lines)
