"""`platform-kit`: validate, render and seed stacks without the Pulumi CLI.

Progress of the slow steps (`... running the stack program`) goes to stderr when it is a terminal,
so stdout stays the parseable result.

Exit codes: 0 success; 1 the remote refused or failed (push rejected, unreachable), `render
--check` found guardrail violations, or something asked for was not done (`seed` could not propose:
the upgrade branch exists with other changes); 2 invalid input (config, flags, credentials,
unknown stack); 130 on SIGINT, 143 on SIGTERM (see `platform_kit.cli.signals`). User errors never
print a traceback, and no message ever contains a secret.

The commands live here; `repo` (validate-repo), `serve`, `signals` and `extras` are this package's
helpers. `python -m platform_kit.cli` runs the same group as the `platform-kit` console script.
"""

from __future__ import annotations

import json
import os
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from platform_kit._version import __version__
from platform_kit.cli import signals
from platform_kit.cli.extras import ExtrasGroup
from platform_kit.cli.insights import insights
from platform_kit.cli.repo import validate_repo
from platform_kit.cli.serve import serve
from platform_kit.config import ConfigError, load_stack_file, stack_config_schema
from platform_kit.config.loaders import override_repo
from platform_kit.delivery.credentials import CredentialError, resolve_git_auth
from platform_kit.publish.auth import redact_url
from platform_kit.text import plural

if TYPE_CHECKING:
    from platform_kit.inflate import Inflation
    from platform_kit.offline.preview import StackRun

USER_ERROR = 2
REMOTE_ERROR = 1
GUARDRAIL_VIOLATION = 1
NOT_DONE = 1
"""Something asked for was not done, nothing failed (an upgrade branch exists with other changes)."""

project_option = click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default="current directory",
    help="Project directory (holds Pulumi.yaml).",
)
stack_option = click.option("--stack", "-s", required=True, help="Stack name (stacks/Pulumi.<stack>.yaml).")


def progress(message: str) -> None:
    """`... running the stack program` on stderr, for a person watching (a terminal), never in stdout or logs."""
    if sys.stderr.isatty():
        click.echo(f"... {message}", err=True)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.group(cls=ExtrasGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="platform-kit", message="%(prog)s %(version)s")
def main() -> None:
    """Bootstrap Kubernetes platforms with Pulumi and hand them over to GitOps."""
    # SIGINT -> 130, SIGTERM -> 143: no traceback, no ssh or key left behind (previous handlers back after the command)
    click.get_current_context().call_on_close(signals.install())


@main.command()
@click.option("--stack", "-s", "stacks", multiple=True, help="Stack name (stacks/Pulumi.<stack>.yaml); repeatable.")
@click.option("--all", "all_stacks", is_flag=True, help="Validate every stack file of the project.")
@project_option
def validate(stacks: tuple[str, ...], all_stacks: bool, project: Path) -> None:
    """Check stacks' config, and the fleet they belong to; list every problem by field path.

    Fleet problems (a spoke naming a stack that is not a hub, a cluster name used twice in one
    fleet) are found across every stack file of the project and reported on the stacks asked about.
    """
    from platform_kit.cli.fleet import project_fleet_problems, project_stacks

    if all_stacks == bool(stacks):
        _fail("give --stack NAME (repeatable) or --all", USER_ERROR)
    names = project_stacks(project) if all_stacks else list(dict.fromkeys(stacks))
    failed = False
    for stack in names:
        try:
            config = load_stack_file(project, stack)
        except ConfigError as error:
            click.echo(f"error: {error}", err=True)
            failed = True
            continue
        click.echo(
            f"stack {stack}: valid (environment {config.environment}, cluster {config.cluster.kind}, "
            f"agent {config.gitops.agent}, repo {redact_url(config.repo.url)} {config.repo.branch}, "
            f"fleet role {config.fleet.role})"
        )
    try:
        problems = project_fleet_problems(project, names)
    except ConfigError as error:  # the project file itself (Pulumi.yaml): each stack above reported it already
        problems = []
        if not failed:
            click.echo(f"error: {error}", err=True)
            failed = True
    if problems:
        click.echo(f"error: invalid fleet ({plural(len(problems), 'problem')}):", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
    if failed or problems:
        sys.exit(USER_ERROR)


@main.command()
@stack_option
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output directory.")
@click.option("--check", is_flag=True, help="Also check the guardrails; exit 1 on a violation (after writing).")
@click.option(
    "--inflate",
    is_flag=True,
    help="Also write inflated/: every object the agent would apply, charts rendered from --charts.",
)
@click.option(
    "--charts",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory of packaged charts (<name>-<version>.tgz) for --inflate.",
    show_default="<project>/tests/fixtures/charts",
)
@project_option
def render(stack: str, out: Path, check: bool, inflate: bool, charts: Path | None, project: Path) -> None:
    """Run the stack's program under Pulumi's mock engine; write plan.json, summary.md and config-repo/."""
    from pulumi import RunError

    from platform_kit.config.loaders import read_stack_file
    from platform_kit.guardrails.rules import RULES
    from platform_kit.offline.preview import RenderOutputError, guardrail_violations, run_stack, summary, write_render
    from platform_kit.offline.preview_inflate import DEFAULT_CHART_DIR, write_inflated
    from platform_kit.offline.references import StackReferenceError

    chart_dir = charts or project / DEFAULT_CHART_DIR
    if inflate and not chart_dir.is_dir():
        _fail(f"--inflate needs a directory of packaged charts: {chart_dir} does not exist (give --charts)", USER_ERROR)
    try:
        progress(f"running the stack program of {stack}")
        run = run_stack(project, stack)
    except ConfigError as error:
        _fail(str(error), USER_ERROR)
    except (CredentialError, StackReferenceError) as error:
        _fail(str(error), USER_ERROR)
    except RunError as error:  # the program's own refusal (bad config), which `pulumi up` prints without a traceback
        stack_file, _ = read_stack_file(project, stack)
        _fail(f"stack {stack} ({stack_file}): the program stopped: {error}", USER_ERROR)
    spokes = _spoke_runs(project, run) if inflate else []
    if inflate:
        progress(f"inflating charts from {chart_dir}")
    inflation, inflation_error = _inflate(run, spokes, chart_dir) if inflate else (None, None)
    try:
        progress(f"writing {out}")
        # One output, swapped in whole: plan.json, summary.md, config-repo/ and inflated/.
        plan_file, repo_dir = write_render(run, out, None if inflation is None else partial(write_inflated, inflation))
    except RenderOutputError as error:
        _fail(str(error), USER_ERROR)
    click.echo(summary(run))
    click.echo(f"wrote {plan_file}, {out / 'summary.md'} and {repo_dir}/")
    if inflation is not None:
        from platform_kit.offline.preview_inflate import describe_inflation

        click.echo(describe_inflation(inflation))
        if spokes:
            click.echo(f"inflated with the spoke stacks {', '.join(spoke.stack for spoke in spokes)}")
        click.echo(f"wrote {out / 'inflated'}/")
    if inflation_error is not None:
        _fail(f"inflation failed: {inflation_error}", REMOTE_ERROR)
    if check:
        violations = guardrail_violations(run)
        for violation in violations:
            click.echo(str(violation))
        click.echo(f"guardrails: {plural(len(RULES), 'rule')}, {plural(len(violations), 'violation')}")
        if violations:
            sys.exit(GUARDRAIL_VIOLATION)


def _spoke_runs(project: Path, run: StackRun) -> list[StackRun]:
    """A hub's `render --inflate`: the runs of the project's spoke stacks naming this hub (exit 2 naming the
    spoke that does not load or run); none for any other stack."""
    if run.config is None or run.config.fleet.role != "hub":
        return []
    from platform_kit.cli.fleet import SpokeError, hub_spokes, run_spokes

    try:
        spokes = hub_spokes(project, run.stack)
        if spokes:
            progress(f"running the spoke stacks of {run.stack}: {', '.join(spokes)}")
        return run_spokes(project, run.stack, spokes)
    except SpokeError as error:
        _fail(str(error), USER_ERROR)


def _inflate(run: StackRun, spokes: list[StackRun], chart_dir: Path) -> tuple[Inflation | None, Exception | None]:
    """`render --inflate`: (the inflation, None), or (None, the chart or kustomize error), which exits 1
    after the render is written (without inflated/). A hub with spokes is inflated with them (`inflate_fleet`)."""
    from platform_kit.inflate import ChartError, InflationError, KustomizeError
    from platform_kit.offline.preview_inflate import inflate_fleet, inflate_run

    try:
        return (inflate_fleet(run, spokes, chart_dir) if spokes else inflate_run(run, chart_dir)), None
    except (ChartError, InflationError, KustomizeError) as error:
        return None, error


@main.command()
@stack_option
@click.option("--repo", "repo_url", help="Publish to this remote instead of the configured one (no pull request).")
@click.option("--branch", help="Publish to this branch instead of the configured one.")
@click.option("--plan", "plan_only", is_flag=True, help="Print what would be created, proposed, skipped; push nothing.")
@project_option
def seed(stack: str, repo_url: str | None, branch: str | None, plan_only: bool, project: Path) -> None:
    """Publish the stack's config repo tree: one commit of the missing files, never overwriting."""
    from platform_kit.delivery.seed_report import describe_plan, describe_seed
    from platform_kit.delivery.seeding import preview_seed, proposal_host, publish_seed, pull_request_target
    from platform_kit.offline.preview import run_stack
    from platform_kit.offline.references import StackReferenceError
    from platform_kit.publish.errors import NetworkSettingError, PublishError  # socket and ssl: not for validate
    from platform_kit.publish.transport import NetworkLimits, network_deadline  # dulwich: not for validate

    try:
        config = override_repo(load_stack_file(project, stack), url=repo_url, branch=branch)
        auth = resolve_git_auth(config.repo.credentials, os.environ)
        network = config.repo.network
        limits = NetworkLimits.resolve(network and network.connect_timeout_seconds, network and network.timeout_seconds)
        progress(f"running the stack program of {stack}")
        files = run_stack(project, stack).seeded_files()
    except (ConfigError, CredentialError, NetworkSettingError, StackReferenceError) as error:
        _fail(str(error), USER_ERROR)
    url, target_branch = config.repo.url, config.repo.branch
    where = f"{redact_url(url)} ({target_branch})"
    try:
        with network_deadline(limits):  # one overall deadline for the whole seed, retries included
            progress(f"{'planning' if plan_only else 'publishing'} {plural(len(files), 'file')} to {where}")
            if plan_only:
                planned = preview_seed(url, target_branch, files, environment=config.seed_name, auth=auth)
                click.echo(describe_plan(planned, where))
                return
            # A pull request only makes sense on the configured GitHub repository, not on a --repo override.
            host = proposal_host(None if repo_url else pull_request_target(config.repo), auth)
            result = publish_seed(url, target_branch, files, environment=config.seed_name, auth=auth, proposals=host)
    except PublishError as error:
        _fail(str(error), REMOTE_ERROR)
    click.echo(describe_seed(result, where))
    if result.proposal is not None and result.proposal.state == "conflict":
        sys.exit(NOT_DONE)  # the proposal asked for was not made (reported above)


@main.command()
def schema() -> None:
    """Print the JSON Schema of a stack file (stacks/Pulumi.<stack>.yaml)."""
    click.echo(json.dumps(stack_config_schema(), indent=2))


main.add_command(validate_repo)
main.add_command(serve)
main.add_command(insights)
