"""Reading one YAML config file safely: UTF-8 only, no duplicate keys, bounded alias expansion, plain errors.

Used for `Pulumi.yaml` and `Pulumi.<stack>.yaml` (config/loaders.py); libyaml builds the node graph when
PyYAML has it, and the checks run on that graph before any Python data is constructed.
"""

from __future__ import annotations

import codecs
import copy
import hashlib
from pathlib import Path
from typing import Any

import yaml

from platform_kit.config.errors import ConfigError, Problem

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (same results, much faster)."""

ALIAS_EXPANSION_LIMIT = 100_000
"""Most nodes YAML aliases may add to a document when expanded (a "billion laughs" adds 9**9 from 1 KB)."""

MERGE_TAG = "tag:yaml.org,2002:merge"


def read_yaml_file(path: Path) -> Any:
    """One YAML document as Python data, or ConfigError naming `path`: unreadable, not UTF-8, invalid YAML,
    duplicate keys (Pulumi's YAML parser refuses them too), or aliases that would expand beyond a bound."""
    source = str(path)
    if path.exists() and not path.is_file():
        raise ConfigError([Problem("file", "is not a file")], source)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError([Problem("file", f"cannot read: {error.strerror or error}")], source) from None
    key = (source, hashlib.sha256(data).digest())
    if key not in _PARSED:
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        _PARSED[key] = _parse(data, source)
    return copy.deepcopy(_PARSED[key])


_PARSED: dict[tuple[str, bytes], Any] = {}
"""(path, sha256 of its bytes) -> its document: a command that validates every stack of a project reads
each stack file once per stack (environment sharing, fleet checks), so the same bytes parse only once."""
_PARSED_LIMIT = 4096
"""Entries kept before the cache starts over."""


def _parse(data: bytes, source: str) -> Any:
    loader = SAFE_LOADER(_decode(data, source))  # libyaml when available: the node graph is built in C
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        problems = _node_problems(node)
        if problems:
            raise ConfigError(problems, source)
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        raise ConfigError([Problem("yaml", yaml_error_message(error))], source) from None
    finally:
        loader.dispose()


def yaml_error_message(error: yaml.YAMLError) -> str:
    """`not valid YAML at line 10, column 5: mapping values are not allowed here (in the mapping at line 9,
    column 3)`: PyYAML's mark, problem and context, without the excerpt of the file (it may hold a secret)."""
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(error, "problem", None)
    reason = f": {problem}" if problem else ""
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context:
        at = f" at line {context_mark.line + 1}, column {context_mark.column + 1}" if context_mark else ""
        reason += f" ({context}{at})"
    return f"not valid YAML{where}{reason}"


def _decode(data: bytes, source: str) -> str:
    """UTF-8 text (a UTF-8 byte order mark is dropped); anything else is a ConfigError saying what it is."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ConfigError([Problem("file", "is UTF-16 (byte order mark): save it as UTF-8")], source)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        message = f"contains NUL bytes (line {line}), as UTF-16 without a byte order mark does: save it as UTF-8"
        raise ConfigError([Problem("file", message)], source)
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = f"not UTF-8 (line {line}: byte 0x{data[error.start]:02x}; latin-1?): save it as UTF-8"
        raise ConfigError([Problem("file", message)], source) from None


def _node_problems(root: yaml.Node) -> list[Problem]:
    """Duplicate mapping keys, and aliases that refer to themselves or expand the document beyond
    ALIAS_EXPANSION_LIMIT: checked on the composed node graph (aliases shared, nothing expanded)."""
    problems: list[Problem] = []
    expanded: dict[int, int] = {}  # id(node) -> size once aliases are expanded
    visiting: set[int] = set()
    stack: list[tuple[yaml.Node, str, bool]] = [(root, "", False)]
    while stack:
        node, where, done = stack.pop()
        children = _children(node, where)
        if done:
            visiting.discard(id(node))
            expanded[id(node)] = min(1 + sum(expanded[id(child)] for child, _ in children), 1 << 62)
            continue
        if id(node) in expanded:
            continue
        if id(node) in visiting:
            return [Problem("yaml", f"a YAML alias in `{where or 'the document'}` refers to itself (recursive)")]
        visiting.add(id(node))
        if isinstance(node, yaml.MappingNode):
            problems += _duplicate_keys(node, where)
        stack.append((node, where, True))
        stack.extend((child, path, False) for child, path in children)
    written = len(expanded)
    if expanded[id(root)] - written > ALIAS_EXPANSION_LIMIT:
        message = (
            f"YAML aliases expand {written} nodes to {expanded[id(root)]} (more than {ALIAS_EXPANSION_LIMIT} "
            "added): refused, like a billion-laughs document"
        )
        return [*problems, Problem("yaml", message)]
    return problems


def _children(node: yaml.Node, where: str = "") -> list[tuple[yaml.Node, str]]:
    """A node's children with their paths (`config.platform:repo`, `teams[0]`)."""
    if isinstance(node, yaml.SequenceNode):
        return [(child, f"{where}[{index}]") for index, child in enumerate(node.value)]
    if isinstance(node, yaml.MappingNode):
        pairs = []
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else "?"
            pairs += [(key, where), (value, f"{where}.{name}" if where else str(name))]
        return pairs
    return []


def _duplicate_keys(node: yaml.MappingNode, where: str) -> list[Problem]:
    first: dict[tuple[str, str], int] = {}
    problems = []
    place = f"`{where}`" if where else "the document"
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == MERGE_TAG:
            continue
        line = key.start_mark.line + 1
        if (key.tag, key.value) in first:
            seen = first[(key.tag, key.value)]
            message = f"duplicate key `{key.value}` in {place} at line {line} (first at line {seen})"
            problems.append(Problem("yaml", message))
        else:
            first[(key.tag, key.value)] = line
    return problems
