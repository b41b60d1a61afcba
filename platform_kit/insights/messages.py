"""What commit messages say about a change: its pull request, what it reverts, whether it is a fix.

Merge messages of the common hosts are read for the pull request and the merged branch:

    Merge pull request #12 from acme/feature-x      GitHub (title on the next paragraph)
    Merge branch 'feature-x' into 'main' ...         GitLab (`See merge request group/repo!12`), plain git
    Merged in feature-x (pull request #12)           Bitbucket
    Merged PR 12: title                              Azure DevOps
    Title of the change (#12)                        a squash merge (GitHub, Gitea, ...)

Reverts are read from git's own words, `This reverts commit <sha>.` (also in a merged revert
branch); a `Revert "<title>"` subject without a sha is matched by title. A fix-forward is a change
whose title is `fix: ...`, `fix(scope): ...`, `hotfix...` or mentions a hotfix, whose branch is
`fix/...`, `hotfix/...` or `bugfix/...`, or that carries a `Fixes: <sha>` trailer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_GITHUB_MERGE = re.compile(r"^Merge pull request #(\d+) from (\S+)")
_BRANCH_MERGE = re.compile(r"^Merge (?:remote-tracking )?branch '([^']+)'")
_BITBUCKET_MERGE = re.compile(r"^Merged in (\S+) \(pull request #(\d+)\)")
_AZURE_MERGE = re.compile(r"^Merged PR (\d+): (.*)$")
_GITLAB_REQUEST = re.compile(r"^See merge request \S+!(\d+)\s*$", re.MULTILINE)
_SQUASH_SUFFIX = re.compile(r"^(.*\S)\s+\(#(\d+)\)$")
_REVERT_SHA = re.compile(r"This reverts commit ([0-9a-f]{7,40})\b")
_REVERT_TITLE = re.compile(r'^Revert "(.*)"$')
_FIXES_TRAILER = re.compile(r"^Fixes:\s*([0-9a-f]{7,40})\s*$", re.MULTILINE)
_FIX_TITLE = re.compile(r"^(?:(?:hot|bug)?fix(?:\([^)]*\))?!?:|\[?hot-?fix\]?\b)|\bhot[- ]?fix", re.IGNORECASE)
_FIX_BRANCH = re.compile(r"^(?:hotfix|hot-fix|fix|bugfix)[/-]", re.IGNORECASE)


@dataclass(frozen=True)
class MergeInfo:
    """What a landing commit's message says about how it arrived."""

    title: str
    """The change's title: the pull request title where the message has one, else the subject."""
    pull_request: int | None
    """Pull/merge request number, where the message names one."""
    branch: str | None
    """The merged branch (without the `owner/` GitHub puts first), where the message names one."""


def subject_of(message: str) -> str:
    """First line of a commit message."""
    return message.split("\n", 1)[0].strip()


def _body_title(message: str) -> str | None:
    """First non-empty line after the subject's paragraph (where GitHub writes the pull request title)."""
    _, _, rest = message.partition("\n\n")
    for line in rest.splitlines():
        if line.strip():
            return line.strip()
    return None


def merge_info(message: str, is_merge: bool) -> MergeInfo:
    """Pull request, branch and title of a landing, from its message."""
    subject = subject_of(message)
    if is_merge:
        if found := _GITHUB_MERGE.match(subject):
            owner_branch = found.group(2)
            branch = owner_branch.split("/", 1)[1] if "/" in owner_branch else owner_branch
            return MergeInfo(_body_title(message) or subject, int(found.group(1)), branch)
        if found := _BITBUCKET_MERGE.match(subject):
            return MergeInfo(_body_title(message) or subject, int(found.group(2)), found.group(1))
        if found := _AZURE_MERGE.match(subject):
            return MergeInfo(found.group(2).strip() or subject, int(found.group(1)), None)
        if found := _BRANCH_MERGE.match(subject):
            request = _GITLAB_REQUEST.search(message)
            title = _body_title(message) if request else None
            return MergeInfo(title or subject, int(request.group(1)) if request else None, found.group(1))
        return MergeInfo(subject, None, None)
    if found := _SQUASH_SUFFIX.match(subject):
        return MergeInfo(found.group(1), int(found.group(2)), None)
    if found := _AZURE_MERGE.match(subject):
        return MergeInfo(found.group(2).strip() or subject, int(found.group(1)), None)
    return MergeInfo(subject, None, None)


def reverted_shas(message: str) -> list[str]:
    """Shas (full or abbreviated) a commit message says it reverts."""
    return _REVERT_SHA.findall(message)


def reverted_title(title: str) -> str | None:
    """`X` of a `Revert "X"` title, else None."""
    found = _REVERT_TITLE.match(title)
    return found.group(1) if found else None


def fixed_shas(message: str) -> list[str]:
    """Shas named by `Fixes: <sha>` trailers."""
    return _FIXES_TRAILER.findall(message)


def is_fix(title: str, branch: str | None) -> bool:
    """Whether a change's title or branch marks it as a fix (fix-forward candidate)."""
    return bool(_FIX_TITLE.search(title)) or (branch is not None and bool(_FIX_BRANCH.match(branch)))
