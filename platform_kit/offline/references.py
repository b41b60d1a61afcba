"""Offline stand-ins for referenced stacks' outputs (`stack-references.yaml` next to Pulumi.yaml).

`platform-kit render` answers `pulumi.StackReference` reads from this file; a fleet spoke reads its
hub's `fleet` and `kubeconfig` outputs, so a missing entry is one clear line, not a failed program.
"""

from __future__ import annotations

from pathlib import Path

from platform_kit.config import PlatformConfig
from platform_kit.config.yaml_files import read_yaml_file
from platform_kit.offline.engine import StackOutputs

__all__ = ["STACK_REFERENCES_FILE", "StackReferenceError", "check_hub_reference", "stack_references"]

STACK_REFERENCES_FILE = "stack-references.yaml"
"""Next to Pulumi.yaml: offline stand-ins for what referenced stacks export (`<org>/<project>/<stack>` ->
`{outputs: {...}, secret: [names]}`), answered to `pulumi.StackReference` by the mock engine."""


class StackReferenceError(Exception):
    """STACK_REFERENCES_FILE lacks what a stack reads (one line: the file, the missing key)."""


def stack_references(project_dir: Path) -> dict[str, StackOutputs]:
    """The project's offline stack reference outputs (none without STACK_REFERENCES_FILE)."""
    path = project_dir / STACK_REFERENCES_FILE
    if not path.is_file():
        return {}
    document = read_yaml_file(path) or {}
    if not isinstance(document, dict) or not all(isinstance(entry, dict) for entry in document.values()):
        raise StackReferenceError(f"{path}: must map `<org>/<project>/<stack>` to `{{outputs: ..., secret: [...]}}`")
    return {
        str(name): StackOutputs(dict(entry.get("outputs") or {}), tuple(entry.get("secret") or ()))
        for name, entry in document.items()
    }


def check_hub_reference(config: PlatformConfig, references: dict[str, StackOutputs], project_dir: Path) -> None:
    """Raise StackReferenceError when an Argo CD spoke's hub, or an output of it the spoke reads, has no stand-in."""
    hub = getattr(config.fleet, "hub", None)
    if hub is None:
        return
    from platform_kit.gitops.hub import FLEET_OUTPUT, KUBECONFIG_OUTPUT

    path = project_dir / STACK_REFERENCES_FILE
    where = f"`{hub.stack}` (the hub this stack names in platform.fleet.hub.stack)"
    found = references.get(hub.stack)
    if found is None:
        raise StackReferenceError(
            f"{path}: no entry {where}; render reads the hub's outputs `{FLEET_OUTPUT}` and `{KUBECONFIG_OUTPUT}` "
            "from there (as `pulumi stack output` of the hub shows them)"
        )
    missing = [name for name in (FLEET_OUTPUT, KUBECONFIG_OUTPUT) if name not in found.outputs]
    if missing:
        keys = ", ".join(f"`{hub.stack}.outputs.{name}`" for name in missing)
        raise StackReferenceError(f"{path}: no {keys} for {where}")
