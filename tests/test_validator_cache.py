"""The config models' validator cache: the same errors and results with it, without it, and when it is broken."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROGRAM = """
import json, yaml
from platform_kit.config import ConfigError, parse_platform_config, validator_cache
raw = yaml.safe_load(open("stacks/Pulumi.dev.yaml"))["config"]
values = {key.split(":", 1)[1]: value for key, value in raw.items() if key.startswith("platform:")}
good = parse_platform_config(values)
bad = {**values, "bogus": 1, "teams": [{"name": "Bad_Name", "owners": True, "size": "huge"}]}
bad["cluster"] = {**values["cluster"], "nodeGroups": [{"name": "x", "instanceType": 5, "minSize": "x"}]}
try:
    parse_platform_config(bad, "stacks/Pulumi.dev.yaml")
    error = None
except ConfigError as caught:
    error = str(caught)
print(json.dumps({"dump": good.model_dump_json(by_alias=True), "error": error, "cached": len(validator_cache.used())}))
"""


def run(env_update: dict[str, str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env_update}
    env.pop("PLATFORM_KIT_CACHE", None)
    out = subprocess.run(
        [sys.executable, "-c", PROGRAM], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The models built by pydantic as usual (cache off)."""
    return run({"PLATFORM_KIT_CACHE": "off", "PLATFORM_KIT_CACHE_DIR": str(tmp_path_factory.mktemp("off"))})


def test_reference_run_has_errors_and_no_cache(reference: dict) -> None:
    assert reference["cached"] == 0
    assert "platform.bogus" in reference["error"] and "platform.teams[0]" in reference["error"]


def test_second_process_validates_with_cached_validators_and_the_same_messages(tmp_path: Path, reference: dict) -> None:
    env = {"PLATFORM_KIT_CACHE_DIR": str(tmp_path)}
    first = run(env)
    assert first["cached"] == 0 and list((tmp_path / "config-validators").glob("*.pickle"))
    second = run(env)
    assert second["cached"] > 30  # every config model (PlatformConfig and what it nests) came from the cache
    assert first == {**second, "cached": 0} == reference


def test_corrupt_or_unwritable_cache_falls_back_to_building(tmp_path: Path, reference: dict) -> None:
    env = {"PLATFORM_KIT_CACHE_DIR": str(tmp_path)}
    run(env)
    for cached in (tmp_path / "config-validators").glob("*.pickle"):
        cached.write_bytes(b"not a pickle")
    assert run(env) == reference
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert run({"PLATFORM_KIT_CACHE_DIR": str(blocked)}) == reference  # cannot create a directory there


def test_changed_sources_do_not_reuse_a_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache file's name hashes the sources of platform_kit.config: an edit makes a new file."""
    import shutil

    from platform_kit.config import validator_cache

    copy = tmp_path / "config"
    shutil.copytree(validator_cache.SOURCES, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(validator_cache, "SOURCES", copy)
    first = validator_cache.cache_file()
    assert first is not None and first == validator_cache.cache_file()
    (copy / "teams.py").write_text((copy / "teams.py").read_text() + "\n# edited\n")
    assert validator_cache.cache_file() != first
