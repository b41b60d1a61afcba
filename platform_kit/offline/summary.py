"""`summary.md` of a render, for pull-request review: counts, a Mermaid resource tree, the repo layout.

Pure and deterministic: the same registrations and files always give the same bytes.
Large stacks are drawn collapsed: three or more sibling resources of one type become
one `N × type` node; past `MAX_NODES` only components are drawn, each with the count
of its resources.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from platform_kit.text import plural

GROUP_AT = 3
"""Sibling resources of one type drawn as one `N × type` node from this many on."""
MAX_NODES = 80
"""Most nodes a diagram draws; past it only components are drawn (and then cut with a note)."""
MAX_FILES_LISTED = 8
"""A directory with more files than this shows a count instead of the names."""


@dataclass(frozen=True)
class Entry:
    """One registered resource, as the summary sees it."""

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    """False for component resources (which only group children)."""


def _escape(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _label(entry: Entry, resources: int | None = None) -> str:
    extra = f"<br/>+{resources} resources" if resources else ""
    return f"{_escape(entry.name)}<br/>{_escape(entry.type)}{extra}"


def _children(entries: Sequence[Entry]) -> dict[str | None, list[Entry]]:
    urns = {e.urn for e in entries}
    children: dict[str | None, list[Entry]] = defaultdict(list)
    for entry in entries:
        children[entry.parent if entry.parent in urns else None].append(entry)
    return children


def tree_nodes(entries: Sequence[Entry], components_only: bool = False) -> list[tuple[str, int | None]]:
    """Diagram nodes as (label, index of the parent node); node 0 is the stack."""
    children = _children(entries)
    nodes: list[tuple[str, int | None]] = []

    def visit(level: list[Entry], parent: int) -> None:
        inner = sorted((e for e in level if e.urn in children), key=lambda e: (e.type, e.name))
        leaves = [e for e in level if e.urn not in children]
        for entry in inner:
            count = sum(1 for e in children[entry.urn] if e.urn not in children) if components_only else None
            nodes.append((_label(entry, count), parent))
            visit(children[entry.urn], len(nodes) - 1)
        if components_only:
            return
        by_type: dict[str, list[Entry]] = defaultdict(list)
        for entry in leaves:
            by_type[entry.type].append(entry)
        for type_, group in sorted(by_type.items()):
            if len(group) >= GROUP_AT:
                nodes.append((f"{len(group)} × {_escape(type_)}", parent))
            else:
                nodes.extend((_label(e), parent) for e in sorted(group, key=lambda e: e.name))

    nodes.append(("stack", None))
    visit(children[None], 0)
    return nodes


def mermaid(stack: str, entries: Sequence[Entry]) -> str:
    """A Mermaid flowchart of the resource tree (parents to children), collapsed to at most MAX_NODES."""
    nodes = tree_nodes(entries)
    if len(nodes) > MAX_NODES:
        nodes = tree_nodes(entries, components_only=True)
    cut = max(0, len(nodes) - MAX_NODES)
    nodes = nodes[:MAX_NODES]
    lines = ["flowchart LR"]
    for index, (label, parent) in enumerate(nodes):
        label = f"stack {_escape(stack)}" if parent is None else label
        lines.append(f'  n{index}["{label}"]')
        if parent is not None:
            lines.append(f"  n{parent} --> n{index}")
    if cut:
        lines.append(f'  more["… {cut} more components not drawn"]')
    return "\n".join(lines)


def repo_tree(paths: Iterable[str], root: str = "config-repo") -> str:
    """The directory tree of the config repo; large directories show a file count."""
    dirs: dict[str, set[str]] = defaultdict(set)
    files: dict[str, list[str]] = defaultdict(list)
    for path in sorted(set(paths)):
        parts = path.split("/")
        for depth in range(len(parts) - 1):
            dirs["/".join(parts[:depth])].add(parts[depth])
        files["/".join(parts[:-1])].append(parts[-1])
    lines = [f"{root}/"]

    def visit(directory: str, indent: str) -> None:
        names = sorted(files[directory])
        items = [(d + "/", True) for d in sorted(dirs[directory])]
        if len(names) > MAX_FILES_LISTED:
            items.append((f"({len(names)} files)", False))
        else:
            items += [(n, False) for n in names]
        for position, (name, is_dir) in enumerate(items):
            last = position == len(items) - 1
            lines.append(f"{indent}{'└── ' if last else '├── '}{name}")
            if is_dir:
                child = f"{directory}/{name[:-1]}" if directory else name[:-1]
                visit(child, indent + ("    " if last else "│   "))

    visit("", "")
    return "\n".join(lines)


def summary_markdown(stack: str, entries: Sequence[Entry], paths: Sequence[str], violations: Sequence[str]) -> str:
    """The whole summary.md."""
    components = sum(1 for e in entries if not e.custom)
    kinds = Counter(e.type for e in entries if e.custom)
    guardrails = "no violations" if not violations else plural(len(violations), "violation")
    lines = [
        f"# Render of stack `{stack}`",
        "",
        f"- **{len(entries)} resources**: {components} components, {len(entries) - components} resources "
        f"of {len(kinds)} types",
        f"- **{plural(len(paths), 'file')}** in the config repo",
        f"- **guardrails**: {guardrails}",
        *[f"  - `{v}`" for v in violations],
        "",
        "## Resources",
        "",
        "```mermaid",
        mermaid(stack, entries),
        "```",
        "",
        "| count | type |",
        "|---:|---|",
        *[f"| {count} | `{kind}` |" for kind, count in sorted(kinds.items())],
        "",
        "## Config repo",
        "",
        "```text",
        repo_tree(paths),
        "```",
        "",
    ]
    return "\n".join(lines)
