"""`platform-kit validate` checks the fleet across the project's stack files (issue #17): exit 2 by field path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from fleet_support import FLEET
from stack_support import REPO_ROOT, existing_cluster_stack, project_skeleton

from platform_kit.cli import main


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project holding the repo's fleet stacks (hub, spoke-eks, spoke-local, spoke-local-2) and a standalone `dev`."""
    root = project_skeleton(tmp_path / "project")
    for stack in FLEET:
        shutil.copy(REPO_ROOT / "stacks" / f"Pulumi.{stack}.yaml", root / "stacks" / f"Pulumi.{stack}.yaml")
    write(root, "dev", existing_cluster_stack("dev"))
    return root


def write(project: Path, stack: str, document: dict) -> None:
    (project / "stacks" / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))


def edit(project: Path, stack: str, key: str, change) -> None:
    path = project / "stacks" / f"Pulumi.{stack}.yaml"
    document = yaml.safe_load(path.read_text())
    change(document["config"][f"platform:{key}"])
    write(project, stack, document)


def validate(project: Path, *args: str):
    result = CliRunner().invoke(main, ["validate", *args, "--project", str(project)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def problem_lines(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.startswith("  ")]


def test_a_consistent_fleet_validates(project: Path):
    result = validate(project, "-s", "spoke-eks", "-s", "spoke-local")
    assert result.exit_code == 0, result.output
    assert "stack spoke-eks: valid" in result.output and "fleet role spoke" in result.output
    assert validate(project, "--all").exit_code == 0


def test_the_repos_own_stacks_form_a_valid_fleet():
    result = validate(REPO_ROOT, "--all")
    assert result.exit_code == 0, result.output
    assert "stack hub: valid" in result.output and "fleet role hub" in result.output


def test_a_cluster_name_used_twice_in_a_fleet_is_reported_on_both_stacks(project: Path):
    edit(project, "spoke-local", "cluster", lambda cluster: cluster.update(name="fleet-dev-eu-1"))
    for stack in ("spoke-local", "spoke-eks"):  # either side of the clash fails
        result = validate(project, "-s", stack)
        assert result.exit_code == 2, result.output
        assert problem_lines(result.output) == [
            "spoke-local: platform.cluster.name: `fleet-dev-eu-1` is already a cluster of fleet `hub` (stack "
            "`spoke-eks`); cluster names must be unique across a fleet"
        ]
        assert "Traceback" not in result.output
    assert validate(project, "-s", "dev").exit_code == 0  # a standalone stack is not part of that fleet
    assert validate(project, "--all").exit_code == 2


def test_a_spoke_naming_a_stack_that_is_not_a_hub(project: Path):
    edit(project, "spoke-eks", "fleet", lambda fleet: fleet["hub"].update(stack="acme/platform-kit/dev"))
    result = validate(project, "-s", "spoke-eks")
    assert result.exit_code == 2, result.output
    [line] = problem_lines(result.output)
    assert line.startswith("spoke-eks: platform.fleet.hub.stack: `acme/platform-kit/dev` is not a hub stack here")
    assert "stack `dev` is not a hub" in line
    assert validate(project, "-s", "dev").exit_code == 2  # the stack named as hub is involved too

    edit(project, "spoke-eks", "fleet", lambda fleet: fleet["hub"].update(stack="acme/platform-kit/nowhere"))
    assert "stack `nowhere` does not exist" in validate(project, "-s", "spoke-eks").output


def test_a_hub_of_another_project_is_not_judged_here(project: Path):
    edit(project, "spoke-eks", "fleet", lambda fleet: fleet["hub"].update(stack="acme/hub-project/hub"))
    assert validate(project, "-s", "spoke-eks").exit_code == 0


def test_per_stack_problems_and_fleet_problems_are_listed_together(project: Path):
    edit(project, "spoke-local", "cluster", lambda cluster: cluster.update(name="fleet-hub"))  # the hub's own name
    edit(project, "spoke-eks", "fleet", lambda fleet: fleet.update(apiServer="https://10.0.0.1:6443"))
    result = validate(project, "-s", "spoke-eks", "-s", "spoke-local")
    assert result.exit_code == 2
    assert [line.split(":")[0] for line in problem_lines(result.output)] == ["platform.fleet.apiServer", "spoke-local"]
    assert "already a cluster of fleet `hub` (stack `hub`)" in result.output


def test_a_hub_that_does_not_load_is_reported_itself_not_as_missing(project: Path):
    edit(project, "hub", "fleet", lambda fleet: fleet.update(name="Not_A_Label"))
    result = validate(project, "-s", "hub", "-s", "spoke-local")
    assert result.exit_code == 2
    assert [line.split(":")[0] for line in problem_lines(result.output)] == ["platform.fleet.name"]
    assert "stack spoke-local: valid" in result.output


def test_validate_needs_a_stack_or_all(project: Path):
    for args in ((), ("--all", "-s", "dev")):
        result = validate(project, *args)
        assert result.exit_code == 2 and "--stack NAME (repeatable) or --all" in result.output


def test_a_broken_project_file_is_one_config_error_not_a_crash(project: Path):
    (project / "Pulumi.yaml").write_text("name: [unclosed\n")
    result = validate(project, "-s", "spoke-eks")
    assert result.exit_code == 2 and "Pulumi.yaml" in result.output and "Traceback" not in result.output


# --- several clusters per environment (docs/fleets.md) ---------------------------


def stack_file(project: Path, stack: str) -> Path:
    return project / "stacks" / f"Pulumi.{stack}.yaml"


def test_two_spokes_of_one_environment_validate_and_render(project: Path, tmp_path: Path):
    result = validate(project, "-s", "spoke-local", "-s", "spoke-local-2")
    assert result.exit_code == 0, result.output
    assert "stack spoke-local-2: valid (environment fleet-staging" in result.output
    shutil.copy(REPO_ROOT / "stack-references.yaml", project / "stack-references.yaml")  # the hub's outputs, offline
    rendered = CliRunner().invoke(
        main, ["render", "--stack", "spoke-local-2", "--out", str(tmp_path / "out"), "--project", str(project)]
    )
    assert rendered.exit_code == 0, rendered.output
    plan = yaml.safe_load((tmp_path / "out" / "plan.json").read_text())
    (seed,) = [r for r in plan["resources"] if r["type"].endswith(":SeedCommit")]
    assert seed["inputs"]["environment"] == "fleet-staging.fleet-staging-onprem-2"  # its own seed record


def test_two_spokes_of_one_environment_with_one_cluster_name_are_refused_naming_both_files(project: Path):
    edit(project, "spoke-local-2", "cluster", lambda cluster: cluster.update(name="fleet-staging-onprem-1"))
    for stack, other in (("spoke-local", "spoke-local-2"), ("spoke-local-2", "spoke-local")):
        result = validate(project, "-s", stack)
        assert result.exit_code == 2, result.output
        assert f"invalid config in {stack_file(project, stack)} " in result.output
        [line] = problem_lines(result.output)
        assert line.startswith(
            f"platform.cluster.name: `fleet-staging-onprem-1` is also the cluster of {stack_file(project, other)} "
            "in environment `fleet-staging`"
        ), line
        assert "Traceback" not in result.output
    assert validate(project, "--all").exit_code == 2
    assert validate(project, "-s", "spoke-eks").exit_code == 0  # another environment: not involved


@pytest.mark.parametrize(("stack", "role"), [("dev", "standalone"), ("hub", "a hub")])
def test_a_standalone_or_hub_stack_never_shares_its_environment_with_a_spoke(project: Path, stack: str, role: str):
    path = stack_file(project, stack)
    document = yaml.safe_load(path.read_text())
    document["config"]["platform:environment"] = "fleet-staging"
    write(project, stack, document)
    result = validate(project, "-s", stack)
    assert result.exit_code == 2, result.output
    lines = problem_lines(result.output)
    assert len(lines) == 2  # one per stack it clashes with: both spokes of fleet-staging
    for other in ("spoke-local", "spoke-local-2"):
        assert any(
            line.startswith(
                f"platform.environment: `fleet-staging` is also the environment of {stack_file(project, other)} "
                f"(this stack is {role}, Pulumi.{other}.yaml is a spoke): only fleet spokes"
            )
            for line in lines
        ), lines
    spoke = validate(project, "-s", "spoke-local")  # and the other side too
    assert spoke.exit_code == 2 and f"also the environment of {path} (this stack is a spoke, " in spoke.output


def test_spokes_of_one_environment_rendering_its_shared_files_differently_are_a_fleet_problem(project: Path):
    edit(project, "spoke-local-2", "services", lambda services: services.update(policy={"mode": "Audit"}))
    for args in (("-s", "spoke-local"), ("-s", "spoke-local-2"), ("--all",)):
        result = validate(project, *args)
        assert result.exit_code == 2, result.output
        [line] = problem_lines(result.output)
        assert line.startswith(
            "spoke-local-2: platform.environment: spokes of `fleet-staging` share its overlays, but this one renders "
            "`infrastructure/fleet-staging/"
        ), line
        assert "differently from stack `spoke-local`" in line
    assert validate(project, "-s", "spoke-eks").exit_code == 0


def test_render_of_a_spoke_whose_hub_has_no_offline_outputs_is_one_line(project: Path, tmp_path: Path):
    references = project / "stack-references.yaml"
    out = str(tmp_path / "out")
    args = ["render", "--stack", "spoke-local", "--out", out, "--project", str(project)]
    shutil.copy(REPO_ROOT / "stack-references.yaml", references)
    assert CliRunner().invoke(main, args).exit_code == 0
    for content, key in (
        ("acme/platform-kit/other:\n  outputs: {}\n", "no entry `acme/platform-kit/hub`"),
        (None, "no entry `acme/platform-kit/hub`"),  # no file at all
        ("acme/platform-kit/hub:\n  outputs: {fleet: {}}\n", "no `acme/platform-kit/hub.outputs.kubeconfig`"),
    ):
        if content is None:
            references.unlink()
        else:
            references.write_text(content)
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert isinstance(result.exception, SystemExit)
        assert result.output.splitlines() == [f"error: {references}: {key}" + result.output.split(key, 1)[1].rstrip()]
        assert "Traceback" not in result.output and "KeyError" not in result.output
