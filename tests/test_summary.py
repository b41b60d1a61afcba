"""summary.md: counts, a Mermaid resource tree (collapsed for large stacks), the repo layout; deterministic."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from platform_kit.offline.preview import StackRun, run_stack, summary_document, write_render
from platform_kit.offline.summary import GROUP_AT, MAX_FILES_LISTED, MAX_NODES, Entry, mermaid, repo_tree, tree_nodes

REPO_ROOT = Path(__file__).resolve().parent.parent
NODE = re.compile(r'^  (n\d+)\["(.*)"\]$')
EDGE = re.compile(r"^  (n\d+) --> (n\d+)$")


@pytest.fixture(scope="module")
def prod() -> StackRun:
    return run_stack(REPO_ROOT, "prod")


def parse(diagram: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Nodes (id -> label) and edges of a diagram; fails on any line that is neither."""
    lines = diagram.splitlines()
    assert lines[0] == "flowchart LR"
    nodes, edges = {}, []
    for line in lines[1:]:
        if node := NODE.match(line):
            nodes[node[1]] = node[2]
        elif edge := EDGE.match(line):
            assert edge[1] in nodes and edge[2] in nodes, line  # defined before use
            edges.append((edge[1], edge[2]))
        else:
            assert line.startswith('  more["'), line
    return nodes, edges


def mermaid_block(markdown: str) -> str:
    return markdown.split("```mermaid\n", 1)[1].split("\n```", 1)[0]


def test_render_writes_a_deterministic_summary(prod, tmp_path):
    write_render(prod, tmp_path / "a")
    write_render(prod, tmp_path / "b")
    first = (tmp_path / "a" / "summary.md").read_bytes()
    assert first == (tmp_path / "b" / "summary.md").read_bytes()
    assert first.decode() == summary_document(run_stack(REPO_ROOT, "prod"))  # a fresh run, same bytes


def test_summary_counts_match_the_run(prod):
    text = summary_document(prod)
    components = sum(1 for r in prod.registrations if not r.custom)
    assert f"**{len(prod.registrations)} resources**: {components} components" in text
    assert f"**{len(prod.seeded_files())} files** in the config repo" in text
    assert "**guardrails**: no violations" in text
    assert "| 6 | `aws:ec2/subnet:Subnet` |" in text


def test_diagram_is_a_tree_of_the_stack_collapsing_same_type_siblings():
    # staging: the largest shipped stack still under MAX_NODES (prod, with Karpenter and every add-on, is past it)
    staging = run_stack(REPO_ROOT, "staging")
    nodes, edges = parse(mermaid_block(summary_document(staging)))
    assert nodes["n0"] == "stack staging"
    parents = {child: parent for parent, child in edges}
    assert len(parents) == len(edges) == len(nodes) - 1  # every node but the stack has exactly one parent
    assert set(nodes) - set(parents) == {"n0"}
    by_label = {label: node for node, label in nodes.items()}
    platform = by_label["staging<br/>platform-kit:platform:Platform"]
    network = by_label["staging-cluster-network<br/>platform-kit:aws:Vpc"]
    assert parents[platform] == "n0"
    assert parents[by_label["6 × aws:ec2/subnet:Subnet"]] == network
    assert parents[by_label["staging-cluster-control-plane<br/>aws:eks/cluster:Cluster"]] == parents[network]
    # a node group stays named: fewer than GROUP_AT siblings of a type
    assert "staging-cluster-nodes-system<br/>aws:eks/nodeGroup:NodeGroup" in by_label
    assert not any(label.startswith("staging-cluster-network-public-0") for label in by_label)


def synthetic(components: int, leaves_per_component: int) -> list[Entry]:
    """A Platform with `components` child components, each with that many resources of one type."""
    entries = [Entry("urn:root", "platform-kit:platform:Platform", "big", None, False)]
    for c in range(components):
        urn = f"urn:team-{c:03d}"
        entries.append(Entry(urn, "platform-kit:teams:Team", f"team-{c:03d}", "urn:root", False))
        entries += [
            Entry(f"{urn}/r{i}", "kubernetes:core/v1:Namespace", f"team-{c:03d}-ns-{i}", urn, True)
            for i in range(leaves_per_component)
        ]
    return entries


def test_small_trees_draw_every_resource():
    nodes = tree_nodes(synthetic(2, GROUP_AT - 1))
    assert len(nodes) == 1 + 1 + 2 + 2 * (GROUP_AT - 1)


def test_large_stacks_draw_components_with_resource_counts():
    entries = synthetic(40, 1)  # 81 nodes in full detail, over MAX_NODES
    assert len(tree_nodes(entries)) > MAX_NODES
    nodes, edges = parse(mermaid("big", entries))
    assert len(nodes) == 42
    assert "team-007<br/>platform-kit:teams:Team<br/>+1 resources" in nodes.values()
    assert not any("Namespace" in label for label in nodes.values())


def test_huge_stacks_are_cut_with_a_note():
    diagram = mermaid("huge", synthetic(200, 5))
    nodes, _ = parse(diagram)
    assert len(nodes) == MAX_NODES
    assert f'  more["… {202 - MAX_NODES} more components not drawn"]' in diagram.splitlines()


def test_labels_cannot_break_the_diagram():
    entries = [Entry("urn:a", "x:y:Z", 'a"b<c>', None, True)]
    nodes, _ = parse(mermaid("s", entries))
    assert nodes["n1"] == "a#quot;b#lt;c#gt;<br/>x:y:Z"


def test_repo_tree_lists_directories_and_counts_large_ones():
    many = [f"teams/t/{i:02d}.yaml" for i in range(MAX_FILES_LISTED + 1)]
    tree = repo_tree(["README.md", "clusters/dev/apps.yaml", "clusters/dev/flux-system/a.yaml", *many])
    assert tree.splitlines() == [
        "config-repo/",
        "├── clusters/",
        "│   └── dev/",
        "│       ├── flux-system/",
        "│       │   └── a.yaml",
        "│       └── apps.yaml",
        "├── teams/",
        "│   └── t/",
        f"│       └── ({MAX_FILES_LISTED + 1} files)",
        "└── README.md",
    ]


def test_summary_shows_the_repo_layout_of_the_render(prod):
    text = summary_document(prod)
    layout = text.split("```text\n", 1)[1].split("\n```", 1)[0]
    top = {path.split("/")[0] for path in prod.seeded_files()}
    for name in top:
        assert re.search(rf"^(├|└)── {re.escape(name)}/?$", layout, re.M), name
