"""`platform-kit insights`: DORA metrics of the config repo's history, per environment and per team.

    platform-kit insights [SOURCE] [--stack NAME ...] [--branch B] [--since DATE|90d] [--window 7d]
                          [--format table|json|html] [--out FILE]

SOURCE is a local clone (read in place) or any remote the seed can reach; without it, the
stack's `repo.url` (with its credentials), else the current directory. With `--stack` the
environments and teams come from the stack configs, else from the directory conventions.
Exit codes: 0 report written; 1 the remote failed (unreachable, refused); 2 invalid input.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from platform_kit.insights import Insights

USER_ERROR = 2
REMOTE_ERROR = 1
FORMATS = ("table", "json", "html")


def _fail(message: str, code: int = USER_ERROR) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@click.command("insights")
@click.argument("source", required=False)
@click.option("--stack", "-s", "stacks", multiple=True, help="Stack whose config names the environments (repeatable).")
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default="current directory",
    help="Project directory (holds Pulumi.yaml), for --stack.",
)
@click.option("--branch", help="Branch to read (default: the stack's branch, else the repository's default branch).")
@click.option("--since", help="Report from this date (2024-05-01, UTC) or this long ago (90d); default: all history.")
@click.option("--window", default="7d", show_default=True, help="A revert or fix within this long marks a failure.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the report here (default: stdout).")
def insights(
    source: str | None,
    stacks: tuple[str, ...],
    project: Path,
    branch: str | None,
    since: str | None,
    window: str,
    fmt: str,
    out: Path | None,
) -> None:
    """Deployments, lead time, change failure rate and time to restore from the config repo's history."""
    from platform_kit.config import ConfigError, load_stack_file
    from platform_kit.delivery.credentials import CredentialError, resolve_git_auth
    from platform_kit.insights import SourceError, insights_of
    from platform_kit.insights.units import parse_duration, parse_since
    from platform_kit.publish import PublishError
    from platform_kit.publish.errors import BranchNotFoundError, NetworkSettingError
    from platform_kit.publish.transport import NetworkLimits, network_deadline

    try:
        window_seconds = parse_duration(window)
    except ValueError as error:
        _fail(f"--window: {error}")
    try:
        since_seconds = parse_since(since) if since else None
    except ValueError as error:
        _fail(f"--since: {error}")
    if fmt == "html":
        _need_plots()
    configs, auth, limits = [], None, NetworkLimits.resolve()
    try:
        configs = [load_stack_file(project, stack) for stack in stacks]
        if configs:
            urls = sorted({config.repo.url for config in configs})
            if source is None and len(urls) > 1:
                _fail(f"the stacks publish to different repositories ({', '.join(urls)}): give SOURCE")
            first = configs[0]
            source = source or first.repo.url
            branch = branch or first.repo.branch
            auth = resolve_git_auth(first.repo.credentials, os.environ)
            network = first.repo.network
            limits = NetworkLimits.resolve(
                network and network.connect_timeout_seconds, network and network.timeout_seconds
            )
    except (ConfigError, CredentialError, NetworkSettingError) as error:
        _fail(str(error))
    try:
        with network_deadline(limits):
            report, display = insights_of(
                source or ".", branch=branch, auth=auth, configs=configs, window=window_seconds, since=since_seconds
            )
    except (SourceError, BranchNotFoundError) as error:
        _fail(str(error))
    except PublishError as error:
        _fail(str(error), REMOTE_ERROR)
    text = _render(report, display, fmt)
    if out is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        _fail(f"cannot write {out}: {error.strerror or error}")
    click.echo(f"wrote {out} ({fmt}, {report.totals.deployments} deployments)")


def _need_plots() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        _fail(
            "the HTML report draws its plots with matplotlib, which is not installed: "
            "pip install 'platform-kit[insights]'"
        )


def _render(report: Insights, display: str, fmt: str) -> str:
    from platform_kit.insights.output import to_json, to_table

    if fmt == "json":
        return json.dumps(to_json(report, display), indent=2) + "\n"
    if fmt == "table":
        return to_table(report, display)
    from platform_kit.insights.html import to_html
    from platform_kit.insights.plots import PLOTS, draw_all

    return to_html(report, display, draw_all(report), {name: caption for name, (caption, _) in PLOTS.items()})
