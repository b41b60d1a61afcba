"""`render --inflate`: turn an offline stack run into every object that lands on the cluster.

The bootstrap (objects and charts Pulumi applies) comes from the run's registrations with
secrets masked, the config repo from the seed; `platform_kit.inflate` does the rest. Output:
`inflated/<NN>-<applier>-<kind>-<name>.yaml`, one multi-document file per source, plus
`inflated/inflation.json` (sources, object counts, what was not inflated and why).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from platform_kit.inflate import Bootstrap, ChartRef, ChartStore, HelmInstall, Inflation, inflate
from platform_kit.inflate.appsets import CLUSTER_SECRET_LABEL
from platform_kit.offline.engine import SECRET_MARKER, Registration
from platform_kit.offline.preview import StackRun
from platform_kit.repo.manifest import dump_yaml
from platform_kit.text import plural

HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release"
"""Pulumi's Helm release resource: a chart Pulumi installs itself."""

INFLATED_HEADER = "# Inflated offline by platform-kit render --inflate: what this source lands on the cluster.\n"
"""First line of every inflated file (never applied: a review artefact)."""

DEFAULT_CHART_DIR = Path("tests") / "fixtures" / "charts"
"""Chart store used when none is given: the vendored charts, relative to the project directory."""


def bootstrap_of(run: StackRun) -> Bootstrap:
    """What Pulumi applies in this run: plain Kubernetes objects and Helm releases (secrets masked)."""
    objects: list[dict[str, Any]] = []
    charts: list[HelmInstall] = []
    for registration in run.registrations:
        if not registration.custom or not registration.type.startswith("kubernetes:"):
            continue
        if registration.type == HELM_RELEASE_TYPE:
            charts.append(_helm_install(registration))
        elif not registration.type.endswith("Patch") and "kind" in registration.masked_inputs:
            objects.append(_with_cluster_identity(registration))
    return Bootstrap(objects, charts)


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


def write_inflated(inflation: Inflation, out_dir: Path | str) -> Path:
    """Write a new `inflated/` under out_dir (never replacing one: `write_render` stages it with the rest of
    a render and swaps the whole output in); returns its path."""
    target = Path(out_dir) / "inflated"
    target.mkdir(parents=True)
    index = []
    for number, source in enumerate(inflation.sources, start=1):
        kind = source.kind.lower().replace(".", "-")
        name = f"{number:02d}-{source.applier}-{kind}-{source.name}.yaml"
        if source.objects:
            (target / name).write_text(dump_yaml(source.objects, header=INFLATED_HEADER))
        index.append(
            {
                "file": name if source.objects else None,
                "applier": source.applier,
                "kind": source.kind,
                "name": source.name,
                "namespace": source.namespace,
                "project": source.project,
                "chart": f"{source.chart.name} {source.chart.version}" if source.chart else None,
                "objects": len(source.objects),
            }
        )
    summary = {
        "objects": inflation.object_count(),
        "sources": index,
        "notInflated": inflation.not_inflated,
        "undefinedVariables": inflation.undefined_variables,
    }
    (target / "inflation.json").write_text(json.dumps(summary, indent=2) + "\n")
    return target


def describe_inflation(inflation: Inflation) -> str:
    """A few lines for the CLI: object counts per source and what was not inflated."""
    lines = [f"inflated {plural(inflation.object_count(), 'object')} from {plural(len(inflation.sources), 'source')}"]
    lines += [f"  {len(source.objects):5d}  {source.label}" for source in inflation.sources]
    lines += [f"  not inflated: {reason}" for reason in inflation.not_inflated]
    lines += [
        f"  undefined variables in {label}: {', '.join(names)}"
        for label, names in inflation.undefined_variables.items()
    ]
    return "\n".join(lines)
