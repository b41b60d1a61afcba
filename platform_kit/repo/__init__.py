"""Pure rendering of the config repo: `render_config_repo(config) -> [Manifest(path, content)]`."""

from platform_kit.repo.manifest import Manifest
from platform_kit.repo.render import render_config_repo

__all__ = ["Manifest", "render_config_repo"]
