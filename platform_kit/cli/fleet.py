"""Fleet checks for `platform-kit validate`: problems only the project's stack files together show.

A spoke names its hub by stack, cluster names must be unique across a fleet, and the spokes
sharing an environment must render its shared files identically, so one stack file cannot be
judged alone. `validate` loads every stack file of the project (those that do not
load are left to their own validation) and reports the fleet problems that involve a stack it was
asked about, each as `<stack>: <field path>: <message>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from platform_kit.config import ConfigError, load_stack_file
from platform_kit.config.fleet import FleetProblem, fleet_problems
from platform_kit.config.loaders import read_project_file, stack_config_dir


def project_stacks(project: Path) -> list[str]:
    """Every stack of the project that has a stack file (`stacks/Pulumi.<stack>.yaml`), sorted."""
    directory = stack_config_dir(project)
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in directory.glob("Pulumi.*.yaml") if p.is_file())


def project_fleet_problems(project: Path, stacks: Iterable[str]) -> list[FleetProblem]:
    """The fleet problems across every loadable stack file of `project` that involve one of `stacks`."""
    configs, invalid = {}, []
    for stack in project_stacks(project):
        try:
            configs[stack] = load_stack_file(project, stack)
        except ConfigError:
            invalid.append(stack)  # its own problems are reported when it is validated
    name = str(read_project_file(project).get("name", "")) or None
    wanted = set(stacks)
    problems = fleet_problems(configs, project=name, invalid=invalid)
    if any(config.is_spoke for config in configs.values()):
        from platform_kit.repo.environment_sharing import shared_file_problems  # renders: only for spokes

        problems += shared_file_problems(configs)
    return [problem for problem in problems if wanted & set(problem.involves)]
