"""`platform-kit render --stack hub --inflate` inflates the hub with the project's spokes that name it.

The CLI finds the spoke stacks whose `platform.fleet.hub.stack` is this hub, runs them offline and
inflates the hub with their cluster Secrets and seeds (`inflate_fleet`); what the hub's Applications
land on a spoke goes to `inflated/spokes/<cluster>/`, indexed with its server in `inflation.json`.
The shipped hub is rendered once (module fixture) and checked against the session's `project_fleet`
(the same inflation through the Python API); a spoke that does not load is one line, exit 2.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from fleet_support import SPOKES
from inflation_support import CHARTS
from stack_support import REPO_ROOT, project_skeleton

from platform_kit.cli import main
from platform_kit.config import load_stack_file
from platform_kit.inflate.argo_sources import destination_server

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml where available: the spokes' chart files hold large CRDs."""


@pytest.fixture(scope="module")
def hub_render(tmp_path_factory: pytest.TempPathFactory):
    """(CLI result, output directory, inflation.json) of `render --stack hub --inflate` on the shipped project."""
    out = tmp_path_factory.mktemp("hub-render") / "hub"
    args = ["render", "--stack", "hub", "--out", str(out), "--inflate", "--project", str(REPO_ROOT)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return result, out, json.loads((out / "inflated" / "inflation.json").read_text())


def test_every_spokes_applications_land_with_its_server(hub_render, project_fleet):
    result, out, index = hub_render
    assert f"inflated with the spoke stacks {', '.join(SPOKES)}" in result.output
    clusters = {entry["cluster"]: entry for entry in index["clusters"]}
    assert set(clusters) == {load_stack_file(REPO_ROOT, stack).cluster.name for stack in SPOKES}
    for stack in SPOKES:
        name, server = load_stack_file(REPO_ROOT, stack).cluster.name, project_fleet.server(stack)
        assert clusters[name]["server"] == server and clusters[name]["directory"] == f"spokes/{name}"
        expected = [s.name for s in project_fleet.whole.sources if s.server == server]
        landed = [entry for entry in index["sources"] if entry.get("server") == server]
        assert [entry["name"] for entry in landed] == expected and len(expected) >= 4
        assert all(entry["cluster"] == name and entry["name"].startswith(f"{name}-") for entry in landed)
        assert clusters[name]["objects"] == sum(entry["objects"] for entry in landed) > 50
        for entry in landed:
            assert f"argocd Application/{entry['name']} on {server}" in result.output
        # the generated Applications (in the hub's ApplicationSet files) are exactly those sources
        servers = {load_stack_file(REPO_ROOT, s).cluster.name: project_fleet.server(s) for s in SPOKES}
        generated = {
            app["metadata"]["name"]
            for path in (out / "inflated").glob("*-argocd-applicationset-*.yaml")
            for app in yaml.safe_load_all(path.read_text())
            if app and destination_server(app["spec"]["destination"], servers) == server
        }
        unlanded = {  # an Application whose path is missing lands nothing (docs/fleets.md, Limits): listed instead
            line.split(":")[0].removeprefix("argocd Application/")
            for line in clusters[name]["notInflated"]
            if "does not exist in the config repo" in line
        }
        assert generated == {entry["name"] for entry in landed} | (unlanded & generated)
        assert not {entry["name"] for entry in landed} & unlanded


def test_spoke_files_sit_in_the_spokes_directory_and_match_the_index(hub_render):
    _, out, index = hub_render
    inflated = out / "inflated"
    written = sorted(p.relative_to(inflated).as_posix() for p in inflated.rglob("*.yaml"))
    assert written == sorted(entry["file"] for entry in index["sources"] if entry["file"])
    for entry in index["sources"]:
        folder = f"spokes/{entry['cluster']}/" if entry.get("server") else ""
        assert entry["file"] is None or entry["file"].startswith(folder) and "/" not in entry["file"][len(folder) :]
        if entry["file"] and entry.get("server"):
            objects = [obj for obj in yaml.load_all((inflated / entry["file"]).read_text(), Loader=LOADER) if obj]
            assert len(objects) == entry["objects"] > 0
    assert {f"spokes/{e['cluster']}" for e in index["sources"] if e.get("server")} == {
        p.relative_to(inflated).as_posix() for p in (inflated / "spokes").iterdir()
    }


def test_no_fleet_applicationset_is_listed_as_generating_nothing(hub_render):
    result, out, index = hub_render
    assert not [line for line in index["notInflated"] if "generates nothing" in line]
    assert "generates nothing" not in result.output
    fleet_sets = {  # the hub's own ApplicationSets over its spokes: layers and teams (fleet/<name>/*.yaml)
        doc["metadata"]["name"]
        for path in (out / "config-repo" / "fleet").rglob("*.yaml")
        for doc in yaml.safe_load_all(path.read_text())
        if doc and doc.get("kind") == "ApplicationSet"
    }
    appsets = [e for e in index["sources"] if e["kind"] == "ApplicationSet" and e["name"] in fleet_sets]
    assert len(appsets) == len(fleet_sets) == 15 and sum(e["objects"] for e in appsets) >= len(appsets)


def fleet_project(root: Path) -> Path:
    """The repo's hub, both spokes and the offline stack references, as a project of their own."""
    project_skeleton(root)
    shutil.copy(REPO_ROOT / "stack-references.yaml", root / "stack-references.yaml")
    for stack in ("hub", *SPOKES):
        shutil.copy(REPO_ROOT / "stacks" / f"Pulumi.{stack}.yaml", root / "stacks" / f"Pulumi.{stack}.yaml")
    return root


def render_hub(project: Path, out: Path):
    args = ["render", "--stack", "hub", "--out", str(out), "--inflate", "--charts", str(CHARTS)]
    return CliRunner().invoke(main, [*args, "--project", str(project)])


def test_a_spoke_that_does_not_load_is_one_line_naming_it(tmp_path):
    project = fleet_project(tmp_path / "project")
    path = project / "stacks" / "Pulumi.spoke-local.yaml"
    document = yaml.safe_load(path.read_text())
    document["config"]["platform:cluster"]["nodeCount"] = 3
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    result = render_hub(project, tmp_path / "out")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("error: spoke stack spoke-local (") and "of hub hub does not load:" in lines[-1]
    assert "platform.cluster.nodeCount" in lines[-1] and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_spoke_whose_hub_outputs_are_missing_offline_is_refused_before_it_runs(tmp_path):
    project = fleet_project(tmp_path / "project")
    (project / "stack-references.yaml").unlink()
    result = render_hub(project, tmp_path / "out")
    assert result.exit_code == 2, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("error: spoke stack spoke-eks (") and "stack-references.yaml: no entry" in last
    assert not (tmp_path / "out").exists()
