"""The docs stay true: generated pages match the code, the README stays short, and links resolve."""

from __future__ import annotations

import re
from pathlib import Path

from platform_kit.config.contract_reference import contract_reference
from platform_kit.config.metadata import CONTRACT_VERSION, PlatformMetadata
from platform_kit.config.reference import config_reference

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


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


def test_metadata_contract_is_generated_from_the_current_model():
    assert (DOCS / "metadata-contract.md").read_text() == contract_reference(), (
        "docs/metadata-contract.md is stale: run "
        "`python -m platform_kit.config.contract_reference > docs/metadata-contract.md`"
    )


def test_metadata_contract_page_names_every_key_an_agent_receives():
    """Every ConfigMap variable, cluster Secret annotation and label of a real contract is on the page."""
    text = contract_reference()
    contract = PlatformMetadata(
        environment="dev",
        cluster_name="dev",
        cluster_kind="eks",
        repo_url="https://git.example.com/config.git",
        repo_branch="main",
        repo_path="clusters/dev",
        team_role_arns={"payments-eu": "arn:aws:iam::1:role/t"},
    )
    keys = {*contract.to_variables(), *contract.to_annotations(), *contract.to_labels()}
    for key in keys:
        shown = key.replace("PAYMENTS_EU", "<TEAM>").replace("payments-eu", "<team>")
        assert f"`{shown}`" in text, f"{key} is missing from docs/metadata-contract.md"
    for field, info in PlatformMetadata.model_fields.items():
        assert f"| `{field}` |" in text and " ".join(str(info.description).split()) in text
    assert f"Contract version: **`{CONTRACT_VERSION}`**" in text
    labelled = {line.split("|")[1].strip(" `") for line in text.splitlines() if "label `" in line}
    assert labelled == {key.removeprefix("platform-kit.io/").replace("-", "_") for key in contract.to_labels()}


def test_relative_links_in_docs_resolve():
    for page in DOCS.rglob("*.md"):
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page}: broken link {target}"
