"""`platform-kit serve`: the project's `.gitops/*.git` over git smart HTTP, for agents in a local cluster.

Clones and fetches are open; pushes need HTTP basic auth whose password is the token in
`--token-env` (refused without it). Runs until SIGINT (exit 130) or SIGTERM (exit 143), handled
by `platform_kit.cli.signals`, which the CLI group installs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click


@click.command("serve")
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default="current directory",
    help="Project directory; its .gitops/ holds the bare repos.",
)
@click.option("--address", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0 for all).")
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port (0 picks a free one)."
)
@click.option(
    "--token-env",
    default=None,
    metavar="VAR",
    help="Environment variable holding the push token; without it pushes are refused.",
)
def serve(project: Path, address: str, port: int, token_env: str | None) -> None:
    """Serve every bare repo under PROJECT/.gitops at http://ADDRESS:PORT/<name>.git (read-only without a token)."""
    from platform_kit.publish.serve import GitopsServer

    token = None
    if token_env is not None:
        token = os.environ.get(token_env, "")
        if not token:
            click.echo(f"error: --token-env {token_env}: the variable is unset or empty", err=True)
            sys.exit(2)
    if not project.is_dir():
        click.echo(f"error: --project {project}: no such directory", err=True)
        sys.exit(2)
    import logging  # only for the server

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("platform_kit.serve").setLevel(logging.INFO)  # one line per request; dulwich's own INFO is noise
    try:
        server = GitopsServer(project / ".gitops", address, port, push_token=token)
    except OSError as error:
        click.echo(f"error: cannot listen on {address}:{port}: {error.strerror or error}", err=True)
        sys.exit(2)
    names = server.repositories()
    click.echo(f"serving {server.root} at {server.url()} ({'pushes with the token' if token else 'read-only'})")
    for name in names:
        click.echo(f"  {server.url(name)}")
    if not names:
        click.echo("  no repositories yet (`platform-kit seed --stack local` creates one; served as soon as it exists)")
    sys.stdout.flush()
    server.serve_forever()
