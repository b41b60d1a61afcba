"""The docs stay true: the config reference matches the schema, and links resolve."""

from __future__ import annotations

import re
from pathlib import Path

from platform_kit.config.reference import config_reference

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_config_reference_is_generated_from_the_current_schema():
    assert (DOCS / "config-reference.md").read_text() == config_reference(), (
        "docs/config-reference.md is stale: run `python -m platform_kit.config.reference > docs/config-reference.md`"
    )


def test_every_model_is_documented():
    text = config_reference()
    for name in ("PlatformConfig", "EksClusterConfig", "FluxConfig", "ArgoCdConfig", "ServicesConfig"):
        if name == "PlatformConfig":
            assert "## Top-level keys" in text
        else:
            assert f"## {name}" in text


def test_relative_links_in_docs_resolve():
    for page in DOCS.rglob("*.md"):
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page}: broken link {target}"
