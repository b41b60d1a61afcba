"""`platform-kit validate-repo DIR`: the quality gate the seeded CI workflow runs on every pull request.

Builds every kustomization and validates every object (Kubernetes schemas strictly,
custom resources against the bundled CRD schemas). Needs the `validate` extra.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from platform_kit.text import plural

CONFIG_REPO_MARKERS = ("clusters", ".platform-kit")
"""What a config repo checkout holds at its top (the layout and the seed records)."""


def find_config_repo(start: Path) -> Path | None:
    """The nearest directory from `start` upwards that looks like a config repo checkout."""
    for directory in (start, *start.parents):
        if all((directory / marker).is_dir() for marker in CONFIG_REPO_MARKERS):
            return directory if directory != start else Path(".")
    return None


@click.command("validate-repo")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False)
@click.option("--kubernetes-version", default=None, help="Kubernetes version of the built-in schemas.")
def validate_repo(directory: Path | None, kubernetes_version: str | None) -> None:
    """Build every kustomization and validate every object of a config repo checkout.

    Without DIRECTORY: the config repo holding the current directory (`clusters/` and `.platform-kit/`)."""
    if directory is None:
        directory = find_config_repo(Path.cwd())
        if directory is None:
            click.echo(
                "error: no config repo here: give its directory (`platform-kit validate-repo DIR`), or run this "
                f"inside a checkout (a directory holding {' and '.join(f'`{m}/`' for m in CONFIG_REPO_MARKERS)})",
                err=True,
            )
            sys.exit(2)
    try:
        from platform_kit.validation.manifests import DEFAULT_KUBERNETES_VERSION, ManifestError, validate_tree
    except ImportError as error:  # the validate extra is not installed
        click.echo(f"error: {error.name} is missing; install `platform-kit[validate]`", err=True)
        sys.exit(2)
    version = kubernetes_version or DEFAULT_KUBERNETES_VERSION
    try:
        problems = validate_tree(directory, kubernetes_version=version)
    except (ManifestError, ValueError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"{plural(len(problems), 'problem')} in {directory}", err=True)
        sys.exit(1)
    kustomizations = sum(1 for _ in directory.rglob("kustomization.yaml") if ".git" not in _.parts)
    verb = "builds" if kustomizations == 1 else "build"
    click.echo(f"{directory}: every object valid, {plural(kustomizations, 'kustomization')} {verb}")
