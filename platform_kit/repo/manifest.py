"""A rendered file of the config repo and deterministic YAML output."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import yaml

SEEDED_HEADER = (
    "# Seeded by platform-kit. This file is yours now: edit it through pull requests;\n"
    "# platform-kit never overwrites a file that already exists in this repository.\n"
)
"""First lines of every seeded YAML file, telling humans who owns it."""


class Manifest(NamedTuple):
    """One file of the config repo: a POSIX path relative to the repo root and its text."""

    path: str
    content: str


class PureDumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line strings (Lua, embedded YAML, patches) as `|` blocks."""


class FastDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """The same with libyaml's emitter when PyYAML has it (several times faster, byte-identical output)."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


PureDumper.add_representer(str, _represent_str)
FastDumper.add_representer(str, _represent_str)


def dump_yaml(objects: Iterable[dict[str, Any]], header: str = SEEDED_HEADER, dumper: type = FastDumper) -> str:
    """Stable multi-document YAML (keys in insertion order) with the ownership header."""
    body = yaml.dump_all(
        list(objects), Dumper=dumper, sort_keys=False, default_flow_style=False, explicit_start=True, width=120
    )
    return header + body


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
