"""What the seed resource keeps in Pulumi state: a digest per file, one compressed archive, small outputs.

Inputs carry `files` ({path: sha256}, the same hashes as the seed record in the repo) and
`archive` (the contents as sorted JSON, gzip with mtime 0, base64), which the provider
unpacks and checks against `files`. Chosen over re-rendering inside the provider from the
environment's config: the provider then publishes exactly the bytes the preview showed,
needs no config or templates of its own (no skew when the library installed for
`pulumi up` differs from the one that ran the preview), and `ConfigRepoSeedArgs(files=...)`
keeps working for any tree. Previews still name the files a change adds or alters: the
engine diffs the `files` map key by key. Outputs echo no input: url and branch (they decide
a replace), one `fingerprint` of everything else that matters, the commit and counts.
A state written before this format (`files` holding contents, outputs echoing every input)
is still read: `contents` and `fingerprint` accept both.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from platform_kit.publish.record import content_hash  # not the publisher (dulwich): a render never publishes

if TYPE_CHECKING:
    from platform_kit.publish import SeedResult

FINGERPRINTED = ("message", "environment", "versions", "pullRequests")
"""Inputs besides the files whose change means an update (url and branch mean a replace; auth means nothing)."""


def pack_files(files: Mapping[str, str]) -> dict[str, Any]:
    """`files` (path -> sha256) and `archive` (deterministic gzip of the sorted contents, base64) for the inputs."""
    ordered = dict(sorted(files.items()))
    raw = json.dumps(ordered, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    archive = base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")
    return {"files": digests(ordered), "archive": archive}


def contents(props: Mapping[str, Any]) -> dict[str, str]:
    """Path -> content from the inputs (`archive`, checked against `files`), or from a state of the older format."""
    if "archive" not in props:
        return dict(props["files"])
    try:
        unpacked = json.loads(gzip.decompress(base64.b64decode(props["archive"], validate=True)))
    except (ValueError, OSError, EOFError):
        raise ValueError("the seed's archive input is not valid base64 gzip JSON") from None
    if digests(unpacked) != dict(props["files"]):
        raise ValueError("the seed's archive does not match its file digests (inputs edited by hand?)")
    return unpacked


def digests(files: Mapping[str, str]) -> dict[str, str]:
    """Path -> `sha256:<hex>` of each content."""
    return {path: content_hash(text.encode("utf-8")) for path, text in files.items()}


def fingerprint(props: Mapping[str, Any]) -> str:
    """One digest of the files' digests and FINGERPRINTED inputs; both state formats give the same value."""
    files = props["files"] if "archive" in props else digests(props["files"])
    document = {"files": dict(sorted(files.items())), **{key: props.get(key) for key in FINGERPRINTED}}
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def outputs(props: Mapping[str, Any], result: SeedResult) -> dict[str, Any]:
    """The resource's outputs after a seed: identity, fingerprint, the commit and per-decision counts."""
    proposal = result.proposal
    plan = result.plan
    return {
        "url": props["url"],
        "branch": props["branch"],
        "fingerprint": fingerprint(props),
        "commit": result.commit or "",
        "head": result.head,
        "created": len(plan.create),
        "proposed": len(plan.propose),
        "skipped": len(plan.skipped),
        "unchanged": len(plan.unchanged),
        "upgradeBranch": proposal.branch if proposal else "",
        "pullRequest": (proposal.url or "") if proposal else "",
    }


def current_outputs(props: Mapping[str, Any]) -> dict[str, Any]:
    """Outputs in today's format from stored ones of either format (refresh; the older format echoed every input)."""
    if "fingerprint" in props:
        return {key: value for key, value in props.items() if key != "__provider"}
    counts = {key: len(props.get(key) or ()) for key in ("created", "proposed", "skipped")}
    return {
        "url": props["url"],
        "branch": props["branch"],
        "fingerprint": fingerprint(props),
        "commit": props.get("commit") or "",
        "head": props.get("head") or "",
        **counts,
        "unchanged": len(props["files"]) - sum(counts.values()),
        "upgradeBranch": props.get("upgradeBranch") or "",
        "pullRequest": props.get("pullRequest") or "",
    }
