"""Seed record and upgrades against real git servers: create on main, propose on a branch, skip human edits.

Two template versions are simulated by seeding "version A" files and then "version B" files
(0.1.0 -> 0.2.0). Several environments seed one repo at the same time with the real stacks' trees.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from platform_kit.offline.preview import run_stack
from platform_kit.publish import (
    RecordError,
    SeedRecord,
    content_hash,
    plan_seed,
    plan_seed_files,
    publish_files,
    record_path,
    seed_files,
)
from platform_kit.testing.git_server import git

REPO_ROOT = Path(__file__).resolve().parent.parent
A = {
    "README.md": "# config\n",
    "clusters/dev/apps.yaml": "kind: Kustomization\nname: apps\n",  # a human edits it; template changes too
    "clusters/dev/infra.yaml": "kind: Kustomization\nname: infra\n",  # template changes, nobody edits
    "clusters/dev/flux.yaml": "kind: FluxInstance\n",  # identical in both versions
}
B = {
    **A,
    "clusters/dev/apps.yaml": "kind: Kustomization\nname: apps\ninterval: 5m\n",
    "clusters/dev/infra.yaml": "kind: Kustomization\nname: infra\ninterval: 5m\n",
    "clusters/dev/new.yaml": "kind: ConfigMap\n",  # new in B
}
HUMAN = "kind: Kustomization\nname: apps\n# tuned by the team\n"
V_A = {"library_version": "0.1.0", "template_version": "1"}
V_B = {"library_version": "0.2.0", "template_version": "2"}
UPGRADE = "platform-kit/upgrade-0.2.0-dev"
RECORD = ".platform-kit/seed-dev.json"


def show(repo: Path, path: str, rev: str = "main") -> str:
    return git("--git-dir", str(repo), "show", f"{rev}:{path}")


def refs(repo: Path) -> str:
    return git("--git-dir", str(repo), "for-each-ref", "--format=%(refname) %(objectname)")


def changed(repo: Path, old: str, new: str) -> list[str]:
    return sorted(git("--git-dir", str(repo), "diff", "--name-only", old, new).split())


def record_at(repo: Path, rev: str = "main", environment: str = "dev") -> dict:
    return json.loads(show(repo, record_path(environment), rev))


def human_edit(url: str, work: Path, edits: dict[str, str], branch: str = "main") -> str:
    if not work.exists():
        git("clone", "-q", url, str(work))
    git("checkout", "-q", branch, cwd=work)
    for path, content in edits.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(content)
    git("commit", "-qam", "human edit", cwd=work)
    git("push", "-q", "origin", f"HEAD:{branch}", cwd=work)
    return git("rev-parse", "HEAD", cwd=work).strip()


@pytest.fixture
def upgraded(git_daemon, tmp_path):
    """Version A seeded, `clusters/dev/apps.yaml` edited by a human, then version B seeded."""
    repo, url = git_daemon.create_repo("cfg"), git_daemon.url("cfg")
    first = seed_files(url, A, environment="dev", **V_A)
    human_head = human_edit(url, tmp_path / "work", {"clusters/dev/apps.yaml": HUMAN})
    result = seed_files(url, B, environment="dev", **V_B)
    return repo, url, first, human_head, result


# --- the record ----------------------------------------------------------------------


def test_first_seed_commits_the_record_with_every_file_hash_in_the_same_commit(git_daemon):
    repo, url = git_daemon.create_repo("cfg"), git_daemon.url("cfg")

    result = seed_files(url, A, environment="dev", **V_A)

    assert git("--git-dir", str(repo), "rev-list", "--count", "main").strip() == "1"
    assert sorted(git("--git-dir", str(repo), "ls-tree", "-r", "--name-only", "main").split()) == sorted([*A, RECORD])
    record = record_at(repo)
    assert record == {
        "format": 1,
        "environment": "dev",
        "libraryVersion": "0.1.0",
        "templateVersion": "1",
        "files": {path: content_hash(content.encode()) for path, content in sorted(A.items())},
    }
    assert result.plan.create == tuple(sorted(A)) and result.proposal is None and result.record == RECORD

    again = seed_files(url, A, environment="dev", **V_A)
    assert again.commit is None and again.plan.is_noop and again.head == result.commit


def test_a_new_library_version_with_identical_templates_changes_nothing(git_daemon):
    repo, url = git_daemon.create_repo("cfg"), git_daemon.url("cfg")
    first = seed_files(url, A, environment="dev", **V_A)

    later = seed_files(url, A, environment="dev", **V_B)

    assert later.commit is None and later.proposal is None and later.plan.unchanged == tuple(sorted(A))
    assert refs(repo) == f"refs/heads/main {first.commit}\n"  # no commit, no upgrade branch
    assert record_at(repo)["libraryVersion"] == "0.1.0"  # a version bump alone is not worth a commit


# --- upgrades ------------------------------------------------------------------------


def test_upgrade_creates_missing_on_main_proposes_changed_templates_and_skips_human_edits(upgraded):
    repo, _, first, human_head, result = upgraded

    assert result.plan.create == ("clusters/dev/new.yaml",)
    assert result.plan.propose == ("clusters/dev/infra.yaml",)
    assert result.plan.skipped == ("clusters/dev/apps.yaml",)
    assert result.plan.unchanged == ("README.md", "clusters/dev/flux.yaml")
    # main: one new commit with the new file and the record, nothing else
    main = git("--git-dir", str(repo), "rev-parse", "main").strip()
    assert main == result.commit and git("--git-dir", str(repo), "rev-parse", "main~1").strip() == human_head
    assert changed(repo, human_head, main) == [RECORD, "clusters/dev/new.yaml"]
    assert show(repo, "clusters/dev/apps.yaml") == HUMAN
    assert show(repo, "clusters/dev/infra.yaml") == A["clusters/dev/infra.yaml"]
    # the upgrade branch: created from main, exactly one commit, the changed template and the record
    assert result.proposal is not None and result.proposal.state == "created" and result.proposal.branch == UPGRADE
    tip = git("--git-dir", str(repo), "rev-parse", UPGRADE).strip()
    assert tip == result.proposal.commit and git("--git-dir", str(repo), "rev-parse", f"{UPGRADE}~1").strip() == main
    assert changed(repo, main, UPGRADE) == [RECORD, "clusters/dev/infra.yaml"]
    assert show(repo, "clusters/dev/infra.yaml", UPGRADE) == B["clusters/dev/infra.yaml"]
    assert show(repo, "clusters/dev/apps.yaml", UPGRADE) == HUMAN  # never touched, not even on the branch
    # records: main keeps the seeded hash of the proposed file until the proposal merges
    on_main, on_branch = record_at(repo)["files"], record_at(repo, UPGRADE)["files"]
    assert on_main["clusters/dev/infra.yaml"] == content_hash(A["clusters/dev/infra.yaml"].encode())
    assert on_branch["clusters/dev/infra.yaml"] == content_hash(B["clusters/dev/infra.yaml"].encode())
    assert on_main["clusters/dev/apps.yaml"] == content_hash(A["clusters/dev/apps.yaml"].encode())  # human's not ours
    assert record_at(repo)["libraryVersion"] == "0.2.0"
    assert first.commit in git("--git-dir", str(repo), "rev-list", "main")


def test_rerunning_an_upgrade_is_idempotent_and_a_human_touched_upgrade_branch_is_left_alone(upgraded, tmp_path):
    repo, url, _, _, result = upgraded
    before = refs(repo)

    again = seed_files(url, B, environment="dev", **V_B)

    assert again.commit is None and again.proposal is not None
    assert (again.proposal.state, again.proposal.commit) == ("exists", result.proposal.commit)
    assert refs(repo) == before
    # a reviewer pushes a different change onto the upgrade branch: it is theirs now
    tip = human_edit(url, tmp_path / "work2", {"clusters/dev/infra.yaml": "reviewed\n"}, branch=UPGRADE)
    third = seed_files(url, B, environment="dev", **V_B)
    assert third.proposal is not None and third.proposal.state == "conflict" and third.proposal.commit is None
    assert git("--git-dir", str(repo), "rev-parse", UPGRADE).strip() == tip


def test_after_the_upgrade_merges_the_next_seed_is_a_noop(upgraded, tmp_path):
    repo, url, _, _, _ = upgraded
    work = tmp_path / "merge"
    git("clone", "-q", url, str(work))
    git("merge", "-q", "--no-edit", f"origin/{UPGRADE}", cwd=work)
    git("push", "-q", "origin", "HEAD:main", cwd=work)
    git("push", "-q", "origin", f":{UPGRADE}", cwd=work)  # GitHub deletes merged branches (deleteBranchOnMerge)
    head = git("--git-dir", str(repo), "rev-parse", "main").strip()

    after = seed_files(url, B, environment="dev", **V_B)

    assert after.commit is None and after.proposal is None and after.plan.is_noop
    assert after.plan.skipped == ("clusters/dev/apps.yaml",)  # still the human's
    assert git("--git-dir", str(repo), "rev-parse", "main").strip() == head


def test_plan_reports_create_propose_skip_and_pushes_nothing(git_daemon, tmp_path):
    repo, url = git_daemon.create_repo("cfg"), git_daemon.url("cfg")
    seed_files(url, A, environment="dev", **V_A)
    human_edit(url, tmp_path / "work", {"clusters/dev/apps.yaml": HUMAN})
    before = refs(repo)

    planned = plan_seed_files(url, B, environment="dev", **V_B)

    assert (planned.plan.create, planned.plan.propose, planned.plan.skipped) == (
        ("clusters/dev/new.yaml",),
        ("clusters/dev/infra.yaml",),
        ("clusters/dev/apps.yaml",),
    )
    assert planned.commit is None and planned.proposal is None and planned.upgrade_branch == UPGRADE
    assert refs(repo) == before


def test_an_unreadable_record_stops_the_seed_with_its_path_and_pushes_nothing(git_daemon, tmp_path):
    repo, url = git_daemon.create_repo("cfg"), git_daemon.url("cfg")
    seed_files(url, A, environment="dev", **V_A)
    human_edit(url, tmp_path / "work", {RECORD: '{"format": 1, "files": []}\n'})
    before = refs(repo)

    with pytest.raises(RecordError, match=r"seed record \.platform-kit/seed-dev\.json is not valid .*fix or delete it"):
        seed_files(url, B, environment="dev", **V_B)
    assert refs(repo) == before


def test_a_repo_seeded_before_records_existed_gets_one_and_nothing_is_proposed(git_daemon):
    repo, url = git_daemon.create_repo("cfg"), git_daemon.url("cfg")
    legacy = publish_files(url, A)  # the create-only publisher of earlier versions: no record

    result = seed_files(url, B, environment="dev", **V_B)

    assert result.plan.create == ("clusters/dev/new.yaml",) and result.proposal is None
    assert result.plan.skipped == ("clusters/dev/apps.yaml", "clusters/dev/infra.yaml")  # no baseline: hands off
    assert changed(repo, legacy.commit, "main") == [RECORD, "clusters/dev/new.yaml"]


def test_plan_seed_is_pure_and_keeps_proposed_files_at_their_old_hash():
    h = content_hash
    record = SeedRecord("dev", "0.1.0", "1", {"a": h(b"a1"), "b": h(b"b1"), "gone": h(b"x")})
    plan = plan_seed(
        {"a": b"a2", "b": b"b2", "c": b"c", "d": b"d"},
        {"a": b"a1", "b": b"edited", "d": b"d"},
        record,
        environment="dev",
        library_version="0.2.0",
        template_version="2",
    )
    assert (plan.create, plan.propose, plan.skipped, plan.unchanged) == (("c",), ("a",), ("b",), ("d",))
    assert plan.record.files == {"a": h(b"a1"), "b": h(b"b1"), "c": h(b"c"), "d": h(b"d")}
    assert plan.proposal_record is not None and plan.proposal_record.files["a"] == h(b"a2")
    assert plan.record_changed and not plan.is_noop


def test_a_seeded_file_a_human_deleted_stays_deleted():
    h = content_hash
    record = SeedRecord("dev", "0.1.0", "1", {"kept": h(b"k"), "deleted": h(b"d")})
    plan = plan_seed(
        {"kept": b"k", "deleted": b"d", "new": b"n"},
        {"kept": b"k"},
        record,
        environment="dev",
        library_version="0.1.0",
        template_version="1",
    )
    assert plan.create == ("new",)
    assert plan.skipped == ("deleted",)
    assert plan.record.files["deleted"] == h(b"d")  # still recorded, so later seeds keep respecting it


def test_a_real_reseed_does_not_bring_back_a_deleted_file(git_daemon, tmp_path):
    url = git_daemon.url("deleted")
    git_daemon.create_repo("deleted")
    seed_files(url, A, environment="dev", **V_A)
    work = tmp_path / "work"
    git("clone", "-q", url, str(work))
    victim = sorted(A)[0]
    git("rm", "-q", victim, cwd=work)
    git("commit", "-qm", "we do not need this file", cwd=work)
    git("push", "-q", "origin", "main", cwd=work)
    repo = git_daemon.create_repo("deleted")
    before = git("rev-parse", "main", cwd=repo).strip()
    seed_files(url, A, environment="dev", **V_A)
    assert git("rev-parse", "main", cwd=repo).strip() == before
    assert victim not in git("ls-tree", "-r", "--name-only", "main", cwd=repo).split()


# --- many environments, one repo -------------------------------------------------------


@pytest.fixture(scope="module")
def stack_trees() -> dict[str, dict[str, str]]:
    """The trees the real dev, staging and prod stacks seed (rendered once, sequentially)."""
    return {stack: run_stack(REPO_ROOT, stack).seeded_files() for stack in ("dev", "staging", "prod")}


def test_dev_staging_and_prod_seeding_one_repo_at_once_all_land_and_shared_files_are_created_once(
    git_daemon, stack_trees
):
    repo, url = git_daemon.create_repo("platform-config"), git_daemon.url("platform-config")
    barrier, results, errors = threading.Barrier(3), {}, []

    def seed(environment: str) -> None:
        barrier.wait()
        try:
            results[environment] = seed_files(url, stack_trees[environment], environment=environment, **V_A)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=seed, args=(env,)) for env in stack_trees]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == [] and sorted(results) == ["dev", "prod", "staging"]
    assert git("--git-dir", str(repo), "rev-list", "--count", "main").strip() == "3"  # one commit each, none lost
    subjects = git("--git-dir", str(repo), "log", "--format=%s", "main").split("\n")[:3]
    assert sorted(subjects) == ["platform-kit: seed dev", "platform-kit: seed prod", "platform-kit: seed staging"]
    everything = {path: content for tree in stack_trees.values() for path, content in tree.items()}
    listed = set(git("--git-dir", str(repo), "ls-tree", "-r", "--name-only", "main").split())
    assert listed == set(everything) | {record_path(env) for env in stack_trees}
    shared = set.intersection(*(set(tree) for tree in stack_trees.values()))
    assert shared and not any(path.startswith("clusters/") for path in shared)
    for path in shared:  # created by exactly one of the three commits
        assert len(git("--git-dir", str(repo), "log", "--format=%H", "main", "--", path).split()) == 1, path
    for path, content in everything.items():
        assert show(repo, path) == content
    for env, tree in stack_trees.items():
        assert set(tree) - shared <= set(results[env].plan.create)  # its own clusters/<env>/ etc.
        assert record_at(repo, environment=env)["files"] == {p: content_hash(c.encode()) for p, c in tree.items()}
        git("--git-dir", str(repo), "merge-base", "--is-ancestor", results[env].commit, "main")
    assert sum(len(r.plan.create) for r in results.values()) == len(everything)  # no file written twice
