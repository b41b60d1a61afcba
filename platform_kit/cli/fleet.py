"""Fleet helpers for the CLI: `validate`'s checks across stack files, and the spokes a hub's inflation runs.

A spoke names its hub by stack, cluster names must be unique across a fleet, and the spokes
sharing an environment must render its shared files identically, so one stack file cannot be
judged alone. `validate` loads every stack file of the project (those that do not
load are left to their own validation) and reports the fleet problems that involve a stack it was
asked about, each as `<stack>: <field path>: <message>`.

`render --stack <hub> --inflate` inflates the hub with its spokes (`hub_spokes`, `run_spokes`): the
project's stacks whose `platform.fleet` is an Argo CD spoke naming this hub (in this project), each
run offline the way `render` runs it. A spoke that does not load or run is a `SpokeError`, one line
naming the stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from platform_kit.config import ConfigError, load_stack_file
from platform_kit.config.fleet import FleetProblem, SpokeRole, fleet_from_text, fleet_problems, names_hub
from platform_kit.config.loaders import read_project_file, read_stack_file, stack_config_dir

if TYPE_CHECKING:
    from platform_kit.config.models import PlatformConfig
    from platform_kit.offline.preview import StackRun


class SpokeError(Exception):
    """A spoke of the hub being inflated does not load or does not run (one line naming the stack)."""


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


def hub_spokes(project: Path, hub: str) -> dict[str, PlatformConfig]:
    """The project's stacks (sorted) that are Argo CD spokes of stack `hub`, with their config; a stack file
    whose `platform:fleet` names this hub but that does not load raises SpokeError."""
    name = str(read_project_file(project).get("name", ""))
    found: dict[str, PlatformConfig] = {}
    for stack in project_stacks(project):
        if stack == hub:
            continue
        try:
            config = load_stack_file(project, stack)
        except ConfigError as error:
            if _raw_names_hub(project, stack, hub, name):
                raise SpokeError(f"{_spoke(project, stack, hub)} does not load: {one_line(error)}") from None
            continue  # not of this fleet as far as its file says; its own problems are its own
        fleet = config.fleet
        if isinstance(fleet, SpokeRole) and fleet.hub is not None and names_hub(fleet.hub.stack, hub, name):
            found[stack] = config
    return found


def run_spokes(project: Path, hub: str, spokes: Mapping[str, PlatformConfig]) -> list[StackRun]:
    """Each spoke stack run offline (as `render` runs it); a failure raises SpokeError naming the stack.

    Offline, a spoke reads its hub's outputs from the project's `stack-references.yaml`: a hub reference
    missing there is refused before the spoke's program runs (`check_hub_reference`)."""
    from pulumi import RunError

    from platform_kit.delivery.credentials import CredentialError
    from platform_kit.offline.preview import run_stack
    from platform_kit.offline.references import StackReferenceError

    runs = []
    for stack in spokes:
        try:
            runs.append(run_stack(project, stack))
        except StackReferenceError as error:
            raise SpokeError(f"{_spoke(project, stack, hub)}: {one_line(error)}") from None
        except (ConfigError, CredentialError) as error:
            raise SpokeError(f"{_spoke(project, stack, hub)} does not load: {one_line(error)}") from None
        except RunError as error:  # the program's own refusal, which `pulumi up` prints without a traceback
            raise SpokeError(f"{_spoke(project, stack, hub)}: the program stopped: {one_line(error)}") from None
    return runs


def one_line(error: Exception) -> str:
    """An error on one line: a ConfigError's problems joined by `; `, any other message's lines joined."""
    if isinstance(error, ConfigError) and error.problems:
        return "; ".join(str(problem) for problem in error.problems)
    return " ".join(line.strip() for line in str(error).splitlines() if line.strip())


def _spoke(project: Path, stack: str, hub: str) -> str:
    """`spoke stack <stack> (<its file>) of hub <hub>`, for messages."""
    stack_file = stack_config_dir(project) / f"Pulumi.{stack}.yaml"
    return f"spoke stack {stack} ({stack_file}) of hub {hub}"


def _raw_names_hub(project: Path, stack: str, hub: str, name: str) -> bool:
    """Whether a stack file that does not load names `hub` in its raw `platform:fleet` (as far as it can be read)."""
    try:
        _, raw = read_stack_file(project, stack)
        fleet = fleet_from_text(raw.get("platform:fleet"))
        reference = ((fleet or {}).get("hub") or {}).get("stack") if isinstance(fleet, dict) else None
    except (ConfigError, ValueError, AttributeError):
        return False
    return isinstance(reference, str) and names_hub(reference, hub, name)
