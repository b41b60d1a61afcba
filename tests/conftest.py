"""Shared test setup: seeds never touch the real object cache (~/.cache/platform-kit), and the config factory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import factories
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


@pytest.fixture
def config_factory() -> SimpleNamespace:
    """The config factory of tests/factories.py: `.config(...)` a validated PlatformConfig, `.values(...)`
    the raw mapping (for invalid input), `.problems(values)` the errors by field path; `.DELETE` removes a key.
    Tests that need configs at import time (parametrize lists, constants) import tests/factories.py instead."""
    return SimpleNamespace(
        config=factories.make_config,
        values=factories.config_values,
        problems=factories.config_problems,
        DELETE=factories.DELETE,
    )


@pytest.fixture(scope="session")
def project_fleet():
    """The project's hub inflated with its spokes' cluster Secrets, once per session (tests/inflation_support.py):
    tests/test_chart_inflation.py and tests/test_fleet_inflation.py share it."""
    from inflation_support import inflate_project_fleet

    return inflate_project_fleet()
