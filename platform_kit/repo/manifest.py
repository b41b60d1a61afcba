"""A rendered file of the config repo and deterministic YAML output."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any, NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

SEEDED_HEADER = (
    "# Seeded by platform-kit. This file is yours now: edit it through pull requests;\n"
    "# platform-kit never overwrites a file that already exists in this repository.\n"
)
"""First lines of every seeded YAML file, telling humans who owns it."""


class Manifest(NamedTuple):
    """One file of the config repo: a POSIX path relative to the repo root and its text."""

    path: str
    content: str


STR_TAG, MAP_TAG, SEQ_TAG = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


class PureDumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line strings (Lua, embedded YAML, patches) as `|` blocks."""


class FastDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """The same with libyaml's emitter when PyYAML has it; scalar resolution is memoised (see `_plain_tag`)."""

    def resolve(self, kind: type, value: str | None, implicit: tuple[bool, bool] | None) -> str:
        if kind is ScalarNode and value is not None and implicit is not None:
            return _plain_tag(value, implicit)
        return super().resolve(kind, value, implicit)


@lru_cache(maxsize=1 << 16)
def _plain_tag(value: str, implicit: tuple[bool, bool]) -> str:
    """The tag a scalar would resolve to (decides quoting); pure, and keys/values repeat across files."""
    return yaml.resolver.Resolver().resolve(ScalarNode, value, implicit)


def _str_style(value: str) -> str | None:
    """Multi-line strings as `|` blocks, the rest plain (quoted only where YAML needs it)."""
    return "|" if "\n" in value else None


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar(STR_TAG, value, style=_str_style(value))


PureDumper.add_representer(str, _represent_str)
FastDumper.add_representer(str, _represent_str)

SCALARS = {bool: ("tag:yaml.org,2002:bool", lambda v: "true" if v else "false"), int: ("tag:yaml.org,2002:int", str)}
"""How PyYAML writes the other plain values rendered objects hold."""


def _node(value: Any) -> Node:
    """The YAML node PureDumper's representer would build for `value`, built directly.

    PyYAML's representer (pure Python even with libyaml) dominated rendering large repos; rendered
    objects hold dicts, lists, strings, ints and booleans, which this builds without its dispatch
    and alias bookkeeping; anything else goes through the representer. A test checks the
    bytes match PureDumper's for every rendered file.
    """
    kind = type(value)
    if kind is str:
        return ScalarNode(STR_TAG, value, style=_str_style(value))
    if kind is dict:
        return MappingNode(MAP_TAG, [(_node(k), _node(v)) for k, v in value.items()], flow_style=False)
    if kind is list:
        return SequenceNode(SEQ_TAG, [_node(item) for item in value], flow_style=False)
    if kind in SCALARS:
        tag, text = SCALARS[kind]
        return ScalarNode(tag, text(value))
    return PureDumper(None).represent_data(value)  # rare (None, floats): a fresh representer, no shared state


def dump_yaml(objects: Iterable[dict[str, Any]], header: str = SEEDED_HEADER, dumper: type = FastDumper) -> str:
    """Stable multi-document YAML (keys in insertion order, block style) with the ownership header."""
    nodes = [_node(document) for document in objects]
    return header + yaml.serialize_all(nodes, Dumper=dumper, explicit_start=True, width=120)


def dump_yaml_with_representer(objects: Iterable[dict[str, Any]], dumper: type = PureDumper) -> str:
    """The same YAML through PyYAML's own representer: the reference `dump_yaml` must match byte for byte."""
    return yaml.dump_all(
        list(objects), Dumper=dumper, sort_keys=False, default_flow_style=False, explicit_start=True, width=120
    )


def yaml_file(path: str, *objects: dict[str, Any]) -> Manifest:
    """A Manifest holding the given objects as one YAML file."""
    return Manifest(path, dump_yaml(objects))


def kustomization(path: str, resources: Iterable[str], **extra: Any) -> Manifest:
    """A `kustomization.yaml` listing the given resources (relative to its directory)."""
    body = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": list(resources),
        **extra,
    }
    return Manifest(f"{path}/kustomization.yaml", dump_yaml([body]))
