"""The docs stay true: generated pages match the code, the README stays short, and links resolve."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from platform_kit.config.contract_reference import contract_reference
from platform_kit.config.docstrings import attribute_docstrings
from platform_kit.config.metadata import CONTRACT_VERSION, PlatformMetadata
from platform_kit.config.reference import config_reference

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README_LIMIT = 10_240
"""Bytes: the README says what this is and how to start; everything else lives in docs/."""

PAGES = [ROOT / "README.md", ROOT / "benchmarks" / "README.md", *sorted(DOCS.rglob("*.md"))]
"""Every Markdown page whose relative links are checked."""


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
    docstrings = attribute_docstrings(PlatformMetadata)  # the field docstrings, read on demand (not at import)
    for field in PlatformMetadata.model_fields:
        assert f"| `{field}` |" in text and " ".join(docstrings[field].split()) in text
    assert f"Contract version: **`{CONTRACT_VERSION}`**" in text
    labelled = {line.split("|")[1].strip(" `") for line in text.splitlines() if "label `" in line}
    assert labelled == {key.removeprefix("platform-kit.io/").replace("-", "_") for key in contract.to_labels()}


def test_readme_is_at_most_10_kib():
    size = len((ROOT / "README.md").read_bytes())
    assert size <= README_LIMIT, f"README.md is {size} bytes (limit {README_LIMIT}): move detail to docs/"


def _slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    anchors = set()
    in_code = False
    for line in page.read_text().splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and (match := re.match(r"#{1,6} (.+)", line)):
            slug = _slug(match.group(1))
            anchors.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
            seen[slug] = seen.get(slug, 0) + 1
    return anchors


def _links(page: Path) -> list[tuple[str, str]]:
    """(path, anchor) of every relative Markdown link outside code blocks and code spans."""
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    links = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        path, _, anchor = target.partition("#")
        links.append((path, anchor))
    return links


def test_pages_have_links_to_check():
    assert all(page.exists() for page in PAGES[:2])
    assert len(_links(ROOT / "README.md")) >= 10 and len(_links(DOCS / "README.md")) >= 10


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_relative_links_resolve_to_files_and_headings(page):
    for path, anchor in _links(page):
        target = (page.parent / path).resolve() if path else page
        assert target.exists(), f"{page.relative_to(ROOT)}: broken link {path}"
        if anchor and target.suffix == ".md":
            assert anchor in _anchors(target), f"{page.relative_to(ROOT)}: no heading #{anchor} in {path or 'itself'}"


def test_slugs_follow_github():
    assert _slug("Argo CD: ordering and waves") == "argo-cd-ordering-and-waves"
    assert _slug("Why one `git push`, not the contents API") == "why-one-git-push-not-the-contents-api"
    assert _slug("Seed record and upgrades") == "seed-record-and-upgrades"
