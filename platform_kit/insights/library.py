"""The commits platform-kit itself makes in a config repo, recognised in one place.

- **seed**: `platform-kit: seed <env>` (`platform_kit.gitops.seed.SEED_MESSAGE`), pushed straight
  to the branch by the publisher's author (`platform_kit.publish.publisher.DEFAULT_AUTHOR`);
- **upgrade**: `platform-kit: upgrade <env> to <version> (templates <t>)` or
  `platform-kit: config change for <env>` (`platform_kit.publish.upgrade.proposal_message`), made on a
  `platform-kit/upgrade-*` or `platform-kit/config-*` branch and merged by a person (merge commit,
  squash `... (#N)` or rebase).

A landing is platform-kit's when its own subject says so, when the branch it merged is one of those
branches, or when every commit it brought was authored by platform-kit.
"""

from __future__ import annotations

import re
from typing import Literal

from platform_kit.publish.publisher import DEFAULT_AUTHOR
from platform_kit.publish.upgrade import CONFIG_PREFIX, UPGRADE_PREFIX

LibraryKind = Literal["seed", "upgrade"]

SEED_SUBJECT = "platform-kit: seed "
"""Start of a seed commit's subject; the environment follows."""

UPGRADE_SUBJECTS = ("platform-kit: upgrade ", "platform-kit: config change for ")
"""Starts of an upgrade (or config change) proposal's subject; the environment follows."""

BRANCH_PREFIXES = (UPGRADE_PREFIX, CONFIG_PREFIX)
"""Branches platform-kit proposes changes on."""

LIBRARY_AUTHOR = DEFAULT_AUTHOR.encode("utf-8")
"""`Name <email>` of the commits platform-kit makes."""

_ENV_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def subject_kind(subject: str) -> LibraryKind | None:
    """`seed` or `upgrade` for a subject platform-kit writes (a squash suffix `(#N)` may follow), else None."""
    if subject.startswith(SEED_SUBJECT):
        return "seed"
    if subject.startswith(UPGRADE_SUBJECTS):
        return "upgrade"
    return None


def branch_kind(branch: str | None) -> LibraryKind | None:
    """`upgrade` for a platform-kit proposal branch, else None."""
    return "upgrade" if branch is not None and branch.startswith(BRANCH_PREFIXES) else None


def is_library_author(author: bytes) -> bool:
    """Whether a commit's author is platform-kit's publisher."""
    return author == LIBRARY_AUTHOR


def library_environment(subject: str) -> str | None:
    """The environment a platform-kit subject names (`platform-kit: seed dev` -> `dev`), else None."""
    for prefix in (SEED_SUBJECT, *UPGRADE_SUBJECTS):
        if subject.startswith(prefix):
            found = _ENV_RE.match(subject[len(prefix) :])
            return found.group(0) if found else None
    return None
