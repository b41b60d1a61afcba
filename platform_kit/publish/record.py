"""The seed record: which content platform-kit last gave each file of one environment.

One small JSON file per environment (`.platform-kit/seed-<env>.json`; per cluster for a fleet spoke,
`seed-<env>.<cluster>.json`), committed with the files it describes, so several stacks seeding one
repo never write the same record.
A file whose content still hashes to its recorded value was not edited by humans.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import PublishError

RECORD_DIR = ".platform-kit"
"""Directory of the seed records in the config repo."""

RECORD_FORMAT = 1
"""Version of the record file's layout."""

_ENVIRONMENT_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[A-Za-z0-9][A-Za-z0-9_-]*)?$")
_HASH_RE = re.compile(r"^sha256:[0-9a-f]{64}$")


class RecordError(PublishError):
    """A seed record in the repo that cannot be read; nothing is changed until it is fixed or deleted."""


def record_path(environment: str) -> str:
    """Repo path of a seed record: `environment` is the environment, or `<env>.<cluster>` for a spoke."""
    if not _ENVIRONMENT_RE.match(environment):
        raise ValueError(f"invalid environment name {environment!r}")
    return f"{RECORD_DIR}/seed-{environment}.json"


def content_hash(data: bytes) -> str:
    """`sha256:<hex>` of a file's bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class SeedRecord:
    """What one environment's seed wrote, by content hash."""

    environment: str
    """Environment whose files these are."""
    library_version: str
    """platform-kit version that last wrote this record."""
    template_version: str
    """Config repo template version that last wrote this record."""
    files: Mapping[str, str] = field(default_factory=dict)
    """Path -> content hash platform-kit last gave (or would have given) that file on this branch."""

    def to_bytes(self) -> bytes:
        """Stable JSON (sorted paths, trailing newline), so equal records are equal bytes."""
        document = {
            "format": RECORD_FORMAT,
            "environment": self.environment,
            "libraryVersion": self.library_version,
            "templateVersion": self.template_version,
            "files": dict(sorted(self.files.items())),
        }
        return (json.dumps(document, indent=2) + "\n").encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes, path: str) -> SeedRecord:
        """Parse a record read from the repo; RecordError (naming the path) if it is not one."""
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise RecordError(f"seed record {path} is not valid JSON; fix or delete it") from None
        problems = _problems(document)
        if problems:
            raise RecordError(f"seed record {path} is not valid ({'; '.join(problems)}); fix or delete it")
        return cls(
            environment=document["environment"],
            library_version=document["libraryVersion"],
            template_version=document["templateVersion"],
            files=dict(document["files"]),
        )


def _problems(document: object) -> list[str]:
    if not isinstance(document, dict):
        return ["not a JSON object"]
    problems = []
    if document.get("format") != RECORD_FORMAT:
        problems.append(f"format must be {RECORD_FORMAT}")
    for key in ("environment", "libraryVersion", "templateVersion"):
        if not isinstance(document.get(key), str):
            problems.append(f"{key} must be a string")
    files = document.get("files")
    if not isinstance(files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and _HASH_RE.match(v) for k, v in files.items()
    ):
        problems.append("files must map paths to sha256:<hex> hashes")
    return problems
