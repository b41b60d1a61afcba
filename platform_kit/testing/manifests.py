"""Manifest validation for tests: re-exports `platform_kit.validation.manifests` (where it lives)."""

from platform_kit.validation.manifests import *  # noqa: F403 (the re-export is the point)
from platform_kit.validation.manifests import __all__  # noqa: F401
