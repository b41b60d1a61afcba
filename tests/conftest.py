"""Shared test setup: seeds never touch the real object cache (~/.cache/platform-kit)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def _session_seed_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every test, and every process started by any fixture (module-scoped servers and provider hosts
    included), caches remote objects under one temporary directory of this session."""
    root = tmp_path_factory.mktemp("pk-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLATFORM_KIT_CACHE_DIR", str(root))
        patch.delenv("PLATFORM_KIT_CACHE", raising=False)
        yield root
