"""Offline validation of Kubernetes manifests and rendered GitOps repositories.

Pure functions, no Pulumi and no cluster:

- ``load_documents``: the YAML documents of a file or a string.
- ``validate_object``: schema errors of one object. Built-in kinds are checked
  strictly (unknown fields are errors) against the schemas that the
  ``kubernetes-validate`` package ships; custom resources against the CRD JSON
  Schemas bundled in ``schemas/crds`` (or another directory with the same layout).
  A custom kind without a schema is an error, never silently accepted.
- ``kustomize_build``: the objects that ``kubectl kustomize <dir>`` renders.
- ``validate_tree``: all of the above over a rendered config-repo directory.

Every loaded schema and compiled validator is cached, so validating a few hundred
objects takes well under a second.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource

from platform_kit.inflate.kustomize import KUSTOMIZATION_FILES, KustomizeError, parse_documents
from platform_kit.inflate.kustomize import kustomize_build as build

__all__ = [
    "BUNDLED_SCHEMAS",
    "DEFAULT_KUBERNETES_VERSION",
    "KUSTOMIZATION_FILES",
    "ManifestError",
    "kustomize_build",
    "load_documents",
    "validate_object",
    "validate_tree",
]

DEFAULT_KUBERNETES_VERSION = "1.33"
"""Kubernetes version whose built-in schemas are used (newest <= 1.33 in kubernetes-validate)."""

BUNDLED_SCHEMAS = Path(__file__).parent / "schemas" / "crds"
"""CRD JSON Schemas shipped with this package: ``<group>/<kind lower-case>_<version>.json``."""


_K8S_SCHEMAS = importlib.resources.files("kubernetes_validate") / "kubernetes-json-schema"
_DEFINITIONS_ID = "https://kubernetes.io/api/_definitions.json"
_OBJECT_META_REF = _DEFINITIONS_ID + "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_MAX_MESSAGE = 300


class ManifestError(Exception):
    """A manifest file or kustomization could not be read or built."""


# --------------------------------------------------------------------------- YAML


def load_documents(path_or_text: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Return every non-empty YAML document of a file or of a YAML string.

    A ``Path`` (any ``os.PathLike``) is read as a file. A ``str`` is read as a
    file when it is a single line naming an existing file, and parsed as YAML
    text otherwise. Raises ``ManifestError`` naming the file on a YAML syntax
    error or on a document that is not a mapping.
    """
    if isinstance(path_or_text, os.PathLike) or ("\n" not in path_or_text and Path(path_or_text).is_file()):
        path = Path(path_or_text)
        return _parse_documents(path.read_text(encoding="utf-8"), str(path))
    return _parse_documents(path_or_text, "<text>")


def _parse_documents(text: str, source: str) -> list[dict[str, Any]]:
    """Parse ``text`` (named ``source`` in errors) into its non-empty mapping documents."""
    try:
        return parse_documents(text, source)
    except KustomizeError as error:
        raise ManifestError(str(error)) from error


# ------------------------------------------------------------------ validation


def validate_object(
    obj: dict[str, Any],
    *,
    kubernetes_version: str = DEFAULT_KUBERNETES_VERSION,
    schema_dir: Path = BUNDLED_SCHEMAS,
) -> list[str]:
    """Return the validation errors of one Kubernetes object (empty list: valid).

    Each error reads ``"<Kind>/<namespace>/<name>: <field path>: <message>"``
    (``"<Kind>/<name>"`` when the object has no namespace). Built-in kinds are
    validated strictly with kubernetes-validate's schemas for
    ``kubernetes_version``; other kinds with ``schema_dir/<group>/<kind>_<version>.json``
    plus the Kubernetes ``ObjectMeta`` schema for ``metadata``. Raises
    ``ValueError`` when kubernetes-validate has no schemas for ``kubernetes_version``.
    """
    version_dir = _builtin_version_dir(kubernetes_version)
    if not isinstance(obj, dict):
        return [f"<not an object>: expected a mapping, got {type(obj).__name__}"]
    label = _label(obj)
    problems = _envelope_problems(obj)
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not (isinstance(api_version, str) and api_version and isinstance(kind, str) and kind):
        return [f"{label}: {problem}" for problem in problems]

    group, _, version = api_version.rpartition("/")
    validator = _builtin_validator(version_dir, group, version, kind)
    if validator is None:
        validator = _crd_validator(Path(schema_dir), group, version, kind)
        if validator is None:
            problems.append(f"no schema for {group or 'core'}/{kind} {version}")
            return [f"{label}: {problem}" for problem in problems]
        if isinstance(obj.get("metadata"), dict):
            meta_validator = _object_meta_validator(version_dir)
            problems += _format_errors(meta_validator.iter_errors(obj["metadata"]), ["metadata"])
    problems += _format_errors(validator.iter_errors(obj), [])
    return [f"{label}: {problem}" for problem in problems]


def _label(obj: dict[str, Any]) -> str:
    """``Kind/namespace/name`` (or ``Kind/name``) of an object, for error messages."""
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    parts = [obj.get("kind") or "<no kind>", metadata.get("namespace"), metadata.get("name") or "<no name>"]
    return "/".join(str(part) for part in parts if part)


def _envelope_problems(obj: dict[str, Any]) -> list[str]:
    """Errors for a missing ``apiVersion``, ``kind`` or ``metadata.name``."""
    problems = []
    for field in ("apiVersion", "kind"):
        if not isinstance(obj.get(field), str) or not obj.get(field):
            problems.append(f"{field}: required (a non-empty string)")
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str) or not metadata["name"]:
        problems.append("metadata.name: required (a non-empty string)")
    return problems


def _format_errors(errors: Iterable[jsonschema.ValidationError], prefix: list[Any]) -> list[str]:
    """``"<field path>: <message>"`` for each schema error, sorted by field path."""
    formatted = []
    for error in errors:
        path = _field_path(prefix + list(error.absolute_path))
        message = error.message
        if len(message) > _MAX_MESSAGE:
            message = message[: _MAX_MESSAGE - 3] + "..."
        formatted.append(f"{path}: {message}")
    return sorted(formatted)


def _field_path(parts: list[Any]) -> str:
    """``spec.template.spec.containers[0].name`` from a jsonschema error path."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(root)"


# ------------------------------------------------- built-in kinds (kubernetes-validate)


@functools.cache
def _builtin_versions() -> dict[tuple[int, int], str]:
    """``(major, minor) -> strict schema directory`` shipped by kubernetes-validate."""
    versions = {}
    for entry in _K8S_SCHEMAS.iterdir():
        name = entry.name
        if name.startswith("v") and name.endswith("-local-strict"):
            major, minor = name[1:].split("-")[0].split(".")[:2]
            versions[(int(major), int(minor))] = name
    return versions


@functools.cache
def _builtin_version_dir(kubernetes_version: str) -> str:
    """The strict schema directory for the newest shipped version <= ``kubernetes_version``."""
    try:
        major, minor = (int(part) for part in kubernetes_version.lstrip("v").split(".")[:2])
    except ValueError:
        raise ValueError(f"not a Kubernetes version: {kubernetes_version!r}") from None
    versions = _builtin_versions()
    candidates = [version for version in versions if version <= (major, minor)]
    if not candidates or (major, minor) > max(versions):
        shipped = ", ".join(f"{a}.{b}" for a, b in sorted(versions))
        raise ValueError(f"kubernetes-validate has no schemas for Kubernetes {kubernetes_version} (it ships {shipped})")
    return versions[max(candidates)]


@functools.cache
def _definitions_registry(version_dir: str) -> Registry:
    """A registry holding kubernetes-validate's shared ``_definitions.json``."""
    definitions = json.loads((_K8S_SCHEMAS / version_dir / "_definitions.json").read_text())
    return Resource.from_contents(definitions) @ Registry()


@functools.cache
def _builtin_validator(version_dir: str, group: str, version: str, kind: str) -> Any | None:
    """The strict validator of a built-in kind, or None when kubernetes-validate lacks it.

    Files are named like kubernetes-validate names them (``deployment-apps-v1.json``,
    ``clusterrole-rbac-v1.json``, ``namespace-v1.json``); the file is only used when
    its ``x-kubernetes-group-version-kind`` names exactly this group, version and
    kind, so ``apps.example.com/v1`` Deployment is not mistaken for ``apps/v1``.
    """
    short_group = group.split(".")[0]
    file_name = f"{kind.lower()}-{short_group}-{version}.json" if group else f"{kind.lower()}-{version}.json"
    schema_file = _K8S_SCHEMAS / version_dir / file_name
    if not schema_file.is_file():
        return None
    schema = json.loads(schema_file.read_text())
    declared = schema.get("x-kubernetes-group-version-kind", [])
    if {"group": group, "kind": kind, "version": version} not in declared:
        return None
    validator_class = jsonschema.validators.validator_for(schema)
    return validator_class(schema, registry=_definitions_registry(version_dir))


@functools.cache
def _object_meta_validator(version_dir: str) -> Any:
    """A strict validator of Kubernetes ``ObjectMeta`` (used for custom resources' metadata)."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": _OBJECT_META_REF}
    return jsonschema.Draft202012Validator(schema, registry=_definitions_registry(version_dir))


# ------------------------------------------------------------ custom resources


@functools.cache
def _crd_validator(schema_dir: Path, group: str, version: str, kind: str) -> Any | None:
    """The validator of ``schema_dir/<group>/<kind>_<version>.json``, or None if absent."""
    schema_file = schema_dir / group / f"{kind.lower()}_{version}.json"
    if not group or not schema_file.is_file():
        return None
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    _adapt_crd_schema(schema)
    _close_root(schema)
    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    return validator_class(schema)


def _close_root(schema: dict[str, Any]) -> None:
    """Reject unknown top-level fields (the catalog closes nested objects but not the root).

    ``apiVersion``, ``kind`` and ``metadata`` stay allowed even when a schema
    does not list them. A root that says anything about extra fields is left alone.
    """
    if "additionalProperties" in schema or schema.get("x-kubernetes-preserve-unknown-fields"):
        return
    properties = schema.setdefault("properties", {})
    properties.setdefault("apiVersion", {"type": "string"})
    properties.setdefault("kind", {"type": "string"})
    properties.setdefault("metadata", {"type": "object"})
    schema["additionalProperties"] = False


def _adapt_crd_schema(node: dict[str, Any]) -> None:
    """Apply the Kubernetes extensions that plain JSON Schema ignores, in place.

    ``x-kubernetes-preserve-unknown-fields: true`` wins over a catalog-generated
    ``additionalProperties: false`` (the API server keeps those fields),
    ``nullable: true`` admits ``null``, and Go regular expressions that Python
    cannot compile are made Python-compatible (see ``_python_pattern``).
    """
    for child in _subschemas(node):
        _adapt_crd_schema(child)
    if isinstance(node.get("pattern"), str):
        pattern = _python_pattern(node["pattern"])
        if pattern is None:
            del node["pattern"]
        else:
            node["pattern"] = pattern
    if node.get("x-kubernetes-preserve-unknown-fields") and node.get("additionalProperties") is False:
        del node["additionalProperties"]
    if node.get("nullable") is True and isinstance(node.get("type"), str):
        node["type"] = [node["type"], "null"]


def _python_pattern(pattern: str) -> str | None:
    """``pattern`` as a Python regular expression that never rejects what Go's accepts.

    CRDs carry Go (RE2) patterns. Go allows a flag group such as ``(?i)`` in the
    middle of a pattern, where it applies to the rest of the enclosing group;
    Python only allows it at the start. Such a flag is moved to the start, which
    widens it to the whole pattern (more permissive, never stricter). A pattern
    that still does not compile is dropped (None) rather than guessed at.
    """
    try:
        re.compile(pattern)
        return pattern
    except re.error:
        pass
    if "(?i)" in pattern:
        widened = "(?i)" + pattern.replace("(?i)", "")
        try:
            re.compile(widened)
            return widened
        except re.error:
            pass
    return None


def _subschemas(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The schemas nested directly in ``node`` (not enum values or defaults)."""
    for keyword in ("properties", "patternProperties"):
        yield from (child for child in node.get(keyword, {}).values() if isinstance(child, dict))
    for keyword in ("items", "additionalProperties", "not"):
        if isinstance(node.get(keyword), dict):
            yield node[keyword]
    for keyword in ("allOf", "anyOf", "oneOf"):
        yield from (child for child in node.get(keyword, []) if isinstance(child, dict))


# ---------------------------------------------------------------- kustomize


def kustomize_build(directory: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Return the objects that ``kubectl kustomize <directory>`` renders.

    Raises ``ManifestError`` with kustomize's stderr when the build fails.
    """
    try:
        return build(directory)
    except KustomizeError as error:
        raise ManifestError(str(error)) from error


# ------------------------------------------------------------------ repo tree


def validate_tree(
    root: str | os.PathLike[str],
    *,
    kubernetes_version: str = DEFAULT_KUBERNETES_VERSION,
    schema_dir: Path = BUNDLED_SCHEMAS,
) -> list[str]:
    """Return every validation error of a rendered GitOps repository (empty list: valid).

    (a) Each ``*.yaml``/``*.yml`` file other than a kustomization file is loaded
    and each object validated; errors read ``"<file>: <object error>"``.
    (b) Each directory holding a kustomization file is built with kustomize and
    each built object validated; errors read ``"<dir>/ (kustomize build): ..."``.
    Paths are relative to ``root``; hidden directories (``.git``, ``.github``)
    are skipped. Files that are not whole objects (kustomize patches, Helm
    values) are reported too, since every YAML file is taken for a manifest, except in directories
    named ``values`` (a fleet spoke's chart values, ``clusters/<env>/<cluster>/values/``).
    """
    root = Path(root)
    options = {"kubernetes_version": kubernetes_version, "schema_dir": schema_dir}
    errors: list[str] = []
    files = _visible_files(root)
    for path in files:
        if path.suffix not in (".yaml", ".yml") or path.name in KUSTOMIZATION_FILES or path.parent.name == "values":
            continue  # `values/`: Helm values files (a hub-managed spoke's), read by Argo CD, not applied
        relative = path.relative_to(root).as_posix()
        try:
            objects = _parse_documents(path.read_text(encoding="utf-8"), relative)
        except ManifestError as error:
            errors.append(str(error))
            continue
        for obj in objects:
            errors += [f"{relative}: {problem}" for problem in validate_object(obj, **options)]
    for directory in sorted({path.parent for path in files if path.name in KUSTOMIZATION_FILES}):
        where = f"{directory.relative_to(root).as_posix()}/ (kustomize build)"
        try:
            objects = kustomize_build(directory)
        except ManifestError as error:
            errors.append(f"{where}: {error}")
            continue
        for obj in objects:
            errors += [f"{where}: {problem}" for problem in validate_object(obj, **options)]
    return errors


def _visible_files(root: Path) -> list[Path]:
    """Files under ``root``, sorted, skipping any path with a part starting with ``.``."""
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    )
