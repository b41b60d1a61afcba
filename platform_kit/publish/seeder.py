"""Seeding with a record: create what is missing, propose template upgrades, leave human edits alone.

`seed_files` makes at most one commit on the main branch (the missing files and the
environment's record) and at most one commit on a new upgrade branch (the files whose
template changed while nobody edited them), then asks the `ProposalHost` to open a
review request for that branch. `plan_seed_files` says what it would do, pushing nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from dulwich.client import GitClient
from dulwich.objects import S_ISGITLINK

from .auth import GitAuth
from .branch import Snapshot, branch_ref, create_branch, fetch_snapshot, local_lock, update_branch
from .errors import PublishError
from .proposals import NoProposals, Proposal, ProposalHost
from .publisher import DEFAULT_AUTHOR, MAX_ATTEMPTS, guarded, init_local_bare
from .record import SeedRecord, content_hash, record_path
from .transport import Remote, open_client, parse_remote
from .tree import blob_id, lookup, normalize_files
from .upgrade import SeedPlan, plan_seed, proposal_branch, proposal_message

ProposalState = Literal["created", "exists", "conflict"]


@dataclass(frozen=True)
class ProposalOutcome:
    """What happened to the upgrade branch."""

    branch: str
    """The upgrade branch."""
    state: ProposalState
    """`created` now; `exists` with this content (an earlier run); `conflict`: exists with other content (untouched)."""
    commit: str | None
    """Head of the upgrade branch (None for `conflict`)."""
    url: str | None = None
    """Web URL of the review request, where the host opened one."""


@dataclass(frozen=True)
class SeedResult:
    """Outcome of :func:`seed_files` (or, with nothing pushed, :func:`plan_seed_files`)."""

    commit: str | None
    """The seed commit on the branch; None when nothing was missing and the record was current."""
    head: str
    """Branch head afterwards."""
    plan: SeedPlan
    """Per-file decisions (create / propose / skipped / unchanged)."""
    record: str
    """Repo path of this environment's record."""
    upgrade_branch: str
    """Name of the branch proposals go to."""
    proposal: ProposalOutcome | None
    """The upgrade branch's fate; None when nothing was proposed."""
    attempts: int
    """Fetch/push rounds used on the branch."""


def seed_files(
    url: str,
    files: Mapping[str, str | bytes],
    *,
    environment: str,
    library_version: str,
    template_version: str,
    branch: str = "main",
    message: str | None = None,
    author: str = DEFAULT_AUTHOR,
    auth: GitAuth | None = None,
    proposals: ProposalHost | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    create_local: bool = False,
) -> SeedResult:
    """Seed one environment's files: create the missing ones, propose upgrades, skip human edits."""
    remote, ref, wanted, record = _prepare(url, files, environment, branch, auth)
    if create_local and remote.local_path is not None:
        init_local_bare(remote.local_path, branch=branch)
    versions = (library_version, template_version)

    def decide(snap: Snapshot) -> tuple[dict[str, bytes], SeedPlan]:
        plan = _plan(snap, wanted, record, environment, versions)
        writes = {path: wanted[path] for path in plan.create}
        if plan.record_changed:
            writes[record] = plan.record.to_bytes()
        return writes, plan

    def run() -> SeedResult:
        with local_lock(remote), open_client(remote) as client:
            update = update_branch(
                client,
                remote,
                ref,
                decide,
                message=message or f"platform-kit: seed {environment}",
                author=author,
                max_attempts=max_attempts,
            )
            plan, outcome = update.decision, None
            upgrade = proposal_branch(plan, wanted, environment, library_version)
            if plan.propose:
                outcome = _propose(client, remote, update.snapshot, plan, wanted, record, upgrade, author, versions)
        head = update.snapshot.head.decode() if update.snapshot.head else ""
        commit = update.commit.decode() if update.commit else None
        return SeedResult(commit, head, plan, record, upgrade, outcome, update.attempts)

    result = guarded(remote, run)
    if result.proposal is None or result.proposal.state == "conflict":
        return result
    host = proposals or NoProposals()
    link = host.open(_proposal(result, branch, environment, versions))
    return replace(result, proposal=replace(result.proposal, url=link))


def plan_seed_files(
    url: str,
    files: Mapping[str, str | bytes],
    *,
    environment: str,
    library_version: str,
    template_version: str,
    branch: str = "main",
    auth: GitAuth | None = None,
) -> SeedResult:
    """What :func:`seed_files` would do now; pushes nothing (`commit` is None, `proposal` says if the branch exists)."""
    remote, ref, wanted, record = _prepare(url, files, environment, branch, auth)
    versions = (library_version, template_version)

    def run() -> SeedResult:
        with open_client(remote) as client:
            snap = fetch_snapshot(client, remote, ref)
            plan = _plan(snap, wanted, record, environment, versions)
            upgrade = proposal_branch(plan, wanted, environment, library_version)
            upgrade_ref = branch_ref(upgrade)
            outcome = None
            if plan.propose and upgrade_ref in snap.refs:  # the branch's name is known once the plan is
                seen = fetch_snapshot(client, remote, upgrade_ref)
                assert seen.head is not None
                state = _existing_state(seen, seen.head, plan, wanted)
                outcome = ProposalOutcome(upgrade, state, seen.head.decode() if state == "exists" else None)
        head = snap.head.decode() if snap.head else ""
        return SeedResult(None, head, plan, record, upgrade, outcome, 1)

    return guarded(remote, run)


def _prepare(
    url: str, files: Mapping[str, str | bytes], environment: str, branch: str, auth: GitAuth | None
) -> tuple[Remote, bytes, dict[str, bytes], str]:
    remote = parse_remote(url, auth)
    ref = branch_ref(branch)
    wanted = normalize_files(files)
    record = record_path(environment)
    if record in wanted:
        raise ValueError(f"invalid path {record!r}: reserved for the seed record")
    return remote, ref, wanted, record


def _plan(
    snap: Snapshot, wanted: dict[str, bytes], record: str, environment: str, versions: tuple[str, str]
) -> SeedPlan:
    """Plan from the branch's trees; only blobs whose content matters are read (fetched, from a partial snapshot)."""
    found = lookup(snap.objects, snap.root(), [*wanted, record])
    library_version, template_version = versions
    recorded = found.pop(record)
    present = {path: entry for path, entry in found.items() if entry is not None}
    # Same blob id, same bytes: only files that differ from the template are read (a gitlink reads as b"").
    differ = {path: sha for path, (_, sha) in present.items() if sha != blob_id(wanted[path])}
    needed = [sha for path, sha in differ.items() if not S_ISGITLINK(present[path][0])]
    hashes = {path: content_hash(content) for path, content in wanted.items()}
    previous = None
    if recorded is not None:
        # The record of a branch untouched since a seed of these versions (of every wanted file, or of those
        # present: new files were added since): the same blob id is the same record, not read.
        guesses = [SeedRecord(environment, library_version, template_version, hashes)]
        if len(present) < len(wanted):
            seeded = {path: hashes[path] for path in present}
            guesses.append(SeedRecord(environment, library_version, template_version, seeded))
        previous = next((guess for guess in guesses if blob_id(guess.to_bytes()) == recorded[1]), None)
        if previous is None:
            needed.append(recorded[1])
    contents = snap.blobs(needed)
    current = {path: contents.get(differ[path], b"") if path in differ else wanted[path] for path in present}
    if recorded is not None and previous is None:
        previous = SeedRecord.from_bytes(contents.get(recorded[1], b""), record)
    if previous is not None and previous.environment != environment:
        previous = None  # another environment's record under this name: no baseline
    return plan_seed(
        wanted,
        current,
        previous,
        environment=environment,
        library_version=library_version,
        template_version=template_version,
        hashes=hashes,
    )


def _existing_state(snap: Snapshot, tip: bytes, plan: SeedPlan, wanted: dict[str, bytes]) -> ProposalState:
    """`exists` when the branch at ``tip`` holds every proposed file as proposed (compared by blob id, nothing read)."""
    try:
        found = lookup(snap.objects, snap.root(tip), list(plan.propose))
    except PublishError:  # a proposed path is a directory there now, or under a file
        return "conflict"
    same = all(entry is not None and entry[1] == blob_id(wanted[path]) for path, entry in found.items())
    return "exists" if same else "conflict"


def _propose(
    client: GitClient,
    remote: Remote,
    snap: Snapshot,
    plan: SeedPlan,
    wanted: dict[str, bytes],
    record: str,
    upgrade: str,
    author: str,
    versions: tuple[str, str],
) -> ProposalOutcome:
    """Create the upgrade branch from the branch head (one commit), unless it already exists."""
    upgrade_ref = branch_ref(upgrade)
    if upgrade_ref not in snap.refs:
        assert plan.proposal_record is not None
        files = {path: wanted[path] for path in plan.propose} | {record: plan.proposal_record.to_bytes()}
        message = proposal_message(plan, plan.record.environment, *versions)
        sha = create_branch(client, remote, upgrade_ref, snap, files, message=message, author=author)
        if sha is not None:
            return ProposalOutcome(upgrade, "created", sha.decode())
    seen = fetch_snapshot(client, remote, upgrade_ref)  # someone else's (or an earlier run's) branch
    assert seen.head is not None
    state = _existing_state(seen, seen.head, plan, wanted)
    return ProposalOutcome(upgrade, state, seen.head.decode() if state == "exists" else None)


def _proposal(result: SeedResult, base: str, environment: str, versions: tuple[str, str]) -> Proposal:
    plan = result.plan
    changed = f"platform-kit {versions[0]} (templates {versions[1]})" if plan.templates_changed else "The config"
    lines = [
        f"{changed} renders these files of `{environment}` differently, "
        "and nobody has edited them since they were seeded:",
        "",
        *(f"- `{path}`" for path in plan.propose),
    ]
    if plan.skipped:
        lines += ["", "Skipped, edited by humans (never touched by platform-kit):", ""]
        lines += [f"- `{path}`" for path in plan.skipped]
    lines += ["", f"Merging updates `{result.record}` too. Close this pull request to keep the current files."]
    title = proposal_message(plan, environment, *versions).removesuffix(f" (templates {versions[1]})")
    return Proposal(branch=result.upgrade_branch, base=base, title=title, body="\n".join(lines) + "\n")
