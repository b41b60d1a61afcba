"""Pure seed planning: which files to create, which to propose, which humans own now.

For each file the templates produce, against the branch and the environment's record:

- missing from the branch -> created there (the create-only seed), unless the record says
  it was seeded before: then a human deleted it, and it stays deleted (skipped);
- equal to the template -> nothing to do;
- unchanged since the record (its hash is the recorded one) but the template differs
  -> proposed on the upgrade branch, never written to the main branch;
- anything else (edited by humans, or no record to tell) -> skipped, never touched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from .record import SeedRecord, content_hash

UPGRADE_PREFIX = "platform-kit/upgrade-"
"""Prefix of the branches that offer template upgrades."""

CONFIG_PREFIX = "platform-kit/config-"
"""Prefix of the branches that offer the files a config change renders differently (same templates)."""


def upgrade_branch(version: str, environment: str) -> str:
    """Branch offering ``environment``'s upgrade to ``version`` (one per environment, so each can be promoted)."""
    return f"{UPGRADE_PREFIX}{version}-{environment}"


def config_branch(environment: str, proposed: Mapping[str, bytes]) -> str:
    """Branch offering one config change of ``environment``: named by a digest of the proposed files, so
    another config change gets its own branch (and review) instead of clashing with this one."""
    digest = hashlib.sha256()
    for path in sorted(proposed):
        digest.update(f"{path}\0{content_hash(proposed[path])}\n".encode())
    return f"{CONFIG_PREFIX}{environment}-{digest.hexdigest()[:12]}"


def proposal_branch(plan: SeedPlan, wanted: Mapping[str, bytes], environment: str, library_version: str) -> str:
    """Where ``plan``'s proposals go: the upgrade branch when the templates changed, else a config branch."""
    if plan.templates_changed or not plan.propose:
        return upgrade_branch(library_version, environment)
    return config_branch(environment, {path: wanted[path] for path in plan.propose})


def proposal_message(plan: SeedPlan, environment: str, library_version: str, template_version: str) -> str:
    """Commit message (and pull request title) of ``plan``'s proposal: named for what changed."""
    if plan.templates_changed:
        return f"platform-kit: upgrade {environment} to {library_version} (templates {template_version})"
    return f"platform-kit: config change for {environment}"


@dataclass(frozen=True)
class SeedPlan:
    """What a seed would do to one environment's files."""

    create: tuple[str, ...]
    """Missing from the branch: created in the seed commit."""
    propose: tuple[str, ...]
    """Untouched since the recorded seed, but the templates changed: offered on the upgrade branch."""
    skipped: tuple[str, ...]
    """Changed since the recorded seed (edited by humans) or unknown baseline: never touched."""
    unchanged: tuple[str, ...]
    """Already what the templates produce."""
    record: SeedRecord
    """The environment's record after this seed on the main branch (proposed files keep their old hash)."""
    record_changed: bool
    """Whether the main branch's record must be (re)written."""
    proposal_record: SeedRecord | None
    """The record on the upgrade branch (proposed files at their new hash); None without proposals."""
    templates_changed: bool = True
    """Whether the template version differs from the recorded one (False: only the config changed what renders)."""

    @property
    def is_noop(self) -> bool:
        """Nothing to commit and nothing to propose."""
        return not (self.create or self.propose or self.record_changed)


def plan_seed(
    wanted: Mapping[str, bytes],
    current: Mapping[str, bytes],
    record: SeedRecord | None,
    *,
    environment: str,
    library_version: str,
    template_version: str,
    hashes: Mapping[str, str] | None = None,
) -> SeedPlan:
    """Plan a seed of ``wanted`` given the ``current`` content of the wanted paths present on the branch.

    ``hashes``: the content hash of every file of ``wanted``, where the caller has them already."""
    recorded = dict(record.files) if record else {}
    create, propose, skipped, unchanged = [], [], [], []
    entries: dict[str, str] = {}
    for path, content in sorted(wanted.items()):
        new = hashes[path] if hashes is not None else content_hash(content)
        if path not in current:
            if path in recorded:  # seeded before, deleted since: a human decision, respected
                skipped.append(path)
                entries[path] = recorded[path]
                continue
            create.append(path)
            entries[path] = new
            continue
        now = new if current[path] is content else content_hash(current[path])
        if now == new:
            unchanged.append(path)
            entries[path] = new
        elif recorded.get(path) == now:
            propose.append(path)
            entries[path] = now  # the branch still holds the recorded content until the proposal merges
        else:
            skipped.append(path)
            entries[path] = recorded.get(path, new)
    # While proposals wait, the main branch still holds files of the recorded templates: its record keeps
    # that template version, so a re-run still sees a template upgrade (not a config change) pending.
    main_templates = record.template_version if propose and record is not None else template_version
    main = SeedRecord(environment, library_version, main_templates, entries)
    changed = record is None or bool(create) or dict(record.files) != entries
    proposal = None
    if propose:
        proposal = SeedRecord(
            environment, library_version, template_version, entries | {p: content_hash(wanted[p]) for p in propose}
        )
    if not changed and record is not None:
        main = record  # versions alone never cause a commit
    templates_changed = record is None or record.template_version != template_version
    return SeedPlan(
        tuple(create), tuple(propose), tuple(skipped), tuple(unchanged), main, changed, proposal, templates_changed
    )
