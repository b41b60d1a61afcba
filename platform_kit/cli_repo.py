"""`platform-kit validate-repo DIR`: the quality gate the seeded CI workflow runs on every pull request.

Builds every kustomization and validates every object (Kubernetes schemas strictly,
custom resources against the bundled CRD schemas). Needs the `validate` extra.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("validate-repo")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("."))
@click.option("--kubernetes-version", default=None, help="Kubernetes version of the built-in schemas.")
def validate_repo(directory: Path, kubernetes_version: str | None) -> None:
    """Build every kustomization and validate every object of a config repo checkout."""
    try:
        from platform_kit.testing.manifests import DEFAULT_KUBERNETES_VERSION, ManifestError, validate_tree
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
        click.echo(f"{len(problems)} problem(s) in {directory}", err=True)
        sys.exit(1)
    kustomizations = sum(1 for _ in directory.rglob("kustomization.yaml") if ".git" not in _.parts)
    click.echo(f"{directory}: every object valid, {kustomizations} kustomizations build")
