"""Forwarding imports for modules that moved in 0.2 (kept for one release; see CHANGELOG.md).

`import platform_kit.repo.flux_repo` (an old path) loads the module at its new path, registers
it under the old name too and warns with a DeprecationWarning naming the new path. Nothing is
imported until an old path is used.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from importlib.machinery import ModuleSpec
from types import ModuleType

MOVED = {
    "platform_kit.repo.flux_repo": "platform_kit.repo.flux.layout",
    "platform_kit.repo.flux_helm": "platform_kit.repo.flux.helm",
    "platform_kit.repo.flux_notifications": "platform_kit.repo.flux.notifications",
    "platform_kit.repo.teams.flux": "platform_kit.repo.flux.teams",
    "platform_kit.repo.argocd_repo": "platform_kit.repo.argocd.layout",
    "platform_kit.repo.argocd_health": "platform_kit.repo.argocd.health",
    "platform_kit.repo.argocd_notifications": "platform_kit.repo.argocd.notifications",
    "platform_kit.repo.argocd_patches": "platform_kit.repo.argocd.patches",
    "platform_kit.repo.argocd_root": "platform_kit.repo.argocd.root",
    "platform_kit.repo.argocd_services": "platform_kit.repo.argocd.services",
    "platform_kit.repo.teams.argocd": "platform_kit.repo.argocd.teams",
    # offline tooling in its own package
    "platform_kit.engine": "platform_kit.offline.engine",
    "platform_kit.fakes": "platform_kit.offline.fakes",
    "platform_kit.preview": "platform_kit.offline.preview",
    "platform_kit.preview_inflate": "platform_kit.offline.preview_inflate",
    "platform_kit.summary": "platform_kit.offline.summary",
    # pure delivery helpers out of gitops/ (the Pulumi components)
    "platform_kit.gitops.credentials": "platform_kit.delivery.credentials",
    "platform_kit.gitops.seed_report": "platform_kit.delivery.seed_report",
}
"""Old module path -> new module path."""


class _Forward:
    """Loads an old path as the module at its new path."""

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        new = MOVED[spec.name]
        warnings.warn(f"{spec.name} moved to {new}; the old path goes in the next release", DeprecationWarning, 2)
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module at the new path is already loaded."""


class _MovedModules:
    """Finds the old paths in MOVED (and nothing else)."""

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> ModuleSpec | None:
        """A spec for an old path; None for every other module."""
        return ModuleSpec(fullname, _Forward()) if fullname in MOVED else None


def install() -> None:
    """Add the finder once (first in line for the old paths only)."""
    if not any(isinstance(finder, _MovedModules) for finder in sys.meta_path):
        sys.meta_path.insert(0, _MovedModules())
