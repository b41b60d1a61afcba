"""A synthetic config-repo history with known DORA answers, built with the real git CLI.

Three environments (dev, staging, prod), two teams (payments, search), platform-kit's seeds and
one merged upgrade, pull-request merges, a squash merge, a revert of a merged pull request,
a hotfix, an out-of-window revert, a fix with no failure to blame, a re-land (revert of a revert),
a `Fixes:` trailer and a docs-only change. Every date is set explicitly (UTC).

`build_history(path)` returns the landing shas by name; KNOWN holds the answers worked out by
hand (see the comments next to each landing).
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from platform_kit.publish.publisher import DEFAULT_AUTHOR
from platform_kit.testing.git_server import HUMAN_GIT_ENV

T0 = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())  # a Monday
H = 3600
D = 86400
LIBRARY_NAME, LIBRARY_EMAIL = DEFAULT_AUTHOR[: DEFAULT_AUTHOR.index(" <")], DEFAULT_AUTHOR.split("<")[1].rstrip(">")


class Repo:
    """A non-bare repository driven by the git CLI with explicit dates and authors."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, at: int | None = None, authored: int | None = None, library: bool = False) -> str:
        env = dict(HUMAN_GIT_ENV)
        if at is not None:
            env["GIT_COMMITTER_DATE"] = f"@{at} +0000"
            env["GIT_AUTHOR_DATE"] = f"@{authored if authored is not None else at} +0000"
        if library:
            env.update(GIT_AUTHOR_NAME=LIBRARY_NAME, GIT_AUTHOR_EMAIL=LIBRARY_EMAIL)
            env.update(GIT_COMMITTER_NAME=LIBRARY_NAME, GIT_COMMITTER_EMAIL=LIBRARY_EMAIL)
        proc = subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)}: {proc.stderr}{proc.stdout}")
        return proc.stdout.strip()

    def write(self, files: dict[str, str]) -> None:
        for path, content in files.items():
            target = self.path / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content)
        self.git("add", "-A")

    def commit(
        self, files: dict[str, str], message: str, at: int, authored: int | None = None, library: bool = False
    ) -> str:
        self.write(files)
        self.git("commit", "-q", "-m", message, at=at, authored=authored, library=library)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD")

    def checkout(self, branch: str, new: bool = False) -> None:
        self.git("checkout", "-q", *(["-b"] if new else []), branch)

    def merge(self, branch: str, message: str, at: int) -> str:
        self.checkout("main")
        self.git("merge", "-q", "--no-ff", "-m", message, branch, at=at)
        return self.head()

    def revert(self, sha: str, at: int, mainline: bool = False) -> str:
        self.git("revert", "--no-edit", *(["-m", "1"] if mainline else []), sha, at=at)
        return self.head()


def _seed(env: str) -> dict[str, str]:
    files = {
        f"clusters/{env}/kustomization.yaml": f"# {env} root\n",
        f"clusters/{env}/flux-system/gotk.yaml": "# flux 2.3\n",
        f"infrastructure/{env}/controllers/kustomization.yaml": f"# {env} controllers\n",
        f"infrastructure/{env}/configs/kustomization.yaml": f"# {env} configs\n",
        f".platform-kit/seed-{env}.json": "{}\n",
        "infrastructure/controllers/kustomization.yaml": "# shared\n",
        "README.md": "# config repo\n",
    }
    for team in ("payments", "search"):
        files[f"clusters/{env}/teams/{team}/quota.yaml"] = f"# {team} quota in {env}\n"
        files[f"teams/{team}/base/kustomization.yaml"] = f"# {team} base\n"
        files[f"teams/{team}/{env}/kustomization.yaml"] = f"# {team} {env}\n"
    return files


def build_history(path: Path) -> dict[str, str]:
    """The synthetic history in a fresh repository at `path`; landing shas by name (L1..L18)."""
    repo, sha = Repo(path), {}
    # L1-L3: platform-kit seeds each environment (library, not counted)
    for n, env in enumerate(("dev", "staging", "prod")):
        sha[f"L{n + 1}"] = repo.commit(_seed(env), f"platform-kit: seed {env}", T0 + n * H, library=True)
    # L4 PR #1: two commits from T0+1d, merged T0+1d+6h -> dev, payments, lead 6h
    repo.checkout("feature/payments-quota", new=True)
    repo.commit({"clusters/dev/teams/payments/quota.yaml": "# bigger\n"}, "Raise quota", T0 + D, T0 + D)
    repo.commit({"teams/payments/dev/kustomization.yaml": "# more\n"}, "Patch overlay", T0 + D + 2 * H, T0 + D + 2 * H)
    sha["L4"] = repo.merge(
        "feature/payments-quota",
        "Merge pull request #1 from acme/feature/payments-quota\n\nRaise payments quota in dev",
        T0 + D + 6 * H,
    )
    # L5 squash (#2): authored T0+2d, committed T0+2d+3h -> every env, search, lead 3h
    sha["L5"] = repo.commit(
        {"teams/search/base/dashboards.yaml": "# dashboards\n"},
        "Add search dashboards (#2)",
        T0 + 2 * D + 3 * H,
        T0 + 2 * D,
    )
    # L6 PR #3: authored T0+2d+1h, merged T0+3d -> prod, platform, lead 23h; reverted by L7 (2h later)
    repo.checkout("policy-prod", new=True)
    repo.commit({"infrastructure/prod/configs/policy.yaml": "# enforce\n"}, "Enforce", T0 + 2 * D + H, T0 + 2 * D + H)
    sha["L6"] = repo.merge(
        "policy-prod", "Merge pull request #3 from acme/policy-prod\n\nEnforce policies in prod", T0 + 3 * D
    )
    # L7 PR #4: `git revert -m 1` of L6 authored T0+3d+1h, merged T0+3d+2h -> prod, platform, lead 1h, kind revert
    repo.checkout("revert-3-policy-prod", new=True)
    repo.revert(sha["L6"], T0 + 3 * D + H, mainline=True)
    sha["L7"] = repo.merge(
        "revert-3-policy-prod",
        'Merge pull request #4 from acme/revert-3-policy-prod\n\nRevert "Enforce policies in prod"',
        T0 + 3 * D + 2 * H,
    )
    # L8 PR #5: authored T0+7d, merged T0+8d -> staging+prod, payments, lead 24h; fixed forward by L9 (4h later)
    repo.checkout("payments-netpol", new=True)
    repo.commit(
        {
            "clusters/staging/teams/payments/netpol.yaml": "# deny all\n",
            "clusters/prod/teams/payments/netpol.yaml": "# deny all\n",
        },
        "Network policy",
        T0 + 7 * D,
        T0 + 7 * D,
    )
    sha["L8"] = repo.merge(
        "payments-netpol", "Merge pull request #5 from acme/payments-netpol\n\nAdd payments network policy", T0 + 8 * D
    )
    # L9 hotfix pushed to main: prod, payments, lead 0, kind fix
    sha["L9"] = repo.commit(
        {"clusters/prod/teams/payments/netpol.yaml": "# deny all but DNS\n"},
        "hotfix: allow payments egress to DNS",
        T0 + 8 * D + 4 * H,
    )
    # L10 direct: authored 30m before -> every env, platform, lead 30m; reverted 11 days later (L13)
    sha["L10"] = repo.commit(
        {"infrastructure/controllers/eso.yaml": "# eso 0.10\n"}, "Bump ESO chart", T0 + 9 * D, T0 + 9 * D - 1800
    )
    # L11 PR #6: platform-kit's upgrade branch, merged by a person -> library upgrade of dev
    repo.checkout("platform-kit/upgrade-0.9.0-dev", new=True)
    repo.commit(
        {"clusters/dev/flux-system/gotk.yaml": "# flux 2.4\n", ".platform-kit/seed-dev.json": '{"v": 2}\n'},
        "platform-kit: upgrade dev to 0.9.0 (templates 4)",
        T0 + 9 * D + H,
        library=True,
    )
    sha["L11"] = repo.merge(
        "platform-kit/upgrade-0.9.0-dev",
        "Merge pull request #6 from acme/platform-kit/upgrade-0.9.0-dev\n\nplatform-kit: upgrade dev to 0.9.0",
        T0 + 10 * D,
    )
    # L12 squash (#7): authored T0+14d, committed +5h -> staging, search, lead 5h
    sha["L12"] = repo.commit(
        {"teams/search/staging/quota.yaml": "# search quota\n"},
        "Search quota in staging (#7)",
        T0 + 14 * D + 5 * H,
        T0 + 14 * D,
    )
    # L14 fix(search) with nothing to blame within 7d (L5 is 12d21h before) -> every env, search, kind fix
    sha["L14"] = repo.commit(
        {"teams/search/base/dashboards.yaml": "# dashboards, fixed labels\n"},
        "fix(search): dashboard labels",
        T0 + 15 * D,
    )
    # L15 docs only: not a deployment
    sha["L15"] = repo.commit({"README.md": "# config repo\n\nLayout.\n"}, "Docs: explain the layout", T0 + 15 * D + H)
    # L16 re-land: revert of the revert commit of PR #4 -> prod, platform, kind revert, no failure
    revert_commit = repo.git("rev-parse", f"{sha['L7']}^2")
    sha["L16"] = repo.revert(revert_commit, T0 + 16 * D)
    # L17 direct: authored 2h before -> dev, payments, lead 2h; named by L18's Fixes: trailer
    sha["L17"] = repo.commit(
        {"clusters/dev/teams/payments/alerts.yaml": "# alerts\n"},
        "Tune payments alerts",
        T0 + 17 * D,
        T0 + 17 * D - 2 * H,
    )
    # L18 fix naming L17 (no file in common) 30m later -> dev, payments, kind fix
    sha["L18"] = repo.commit(
        {"clusters/dev/teams/payments/routes.yaml": "# routes\n"},
        f"Correct the alert routes\n\nFixes: {sha['L17']}",
        T0 + 17 * D + 1800,
    )
    # L13 revert of L10, 11 days after it -> every env, platform, kind revert; no failure within 7d
    sha["L13"] = repo.revert(sha["L10"], T0 + 20 * D)
    return sha


KNOWN_ORDER = ["L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8", "L9", "L10", "L11", "L12", "L14", "L15", "L16", "L17"]
KNOWN_ORDER += ["L18", "L13"]
"""The landings, oldest first."""

KNOWN_KINDS = {"L1": "seed", "L2": "seed", "L3": "seed", "L4": "change", "L5": "change", "L6": "change"}
KNOWN_KINDS |= {"L7": "revert", "L8": "change", "L9": "fix", "L10": "change", "L11": "upgrade", "L12": "change"}
KNOWN_KINDS |= {"L13": "revert", "L14": "fix", "L15": "change", "L16": "revert", "L17": "change", "L18": "fix"}

ALL = ["dev", "prod", "staging"]
KNOWN_ENVS = {"L4": ["dev"], "L5": ALL, "L6": ["prod"], "L7": ["prod"], "L8": ["prod", "staging"], "L9": ["prod"]}
KNOWN_ENVS |= {"L10": ALL, "L11": ["dev"], "L12": ["staging"], "L13": ALL, "L14": ALL, "L15": [], "L16": ["prod"]}
KNOWN_ENVS |= {"L17": ["dev"], "L18": ["dev"], "L1": ["dev"], "L2": ["staging"], "L3": ["prod"]}

KNOWN_LEAD = {"L4": 6 * H, "L5": 3 * H, "L6": 23 * H, "L7": H, "L8": 24 * H, "L9": 0, "L10": 1800, "L12": 5 * H}
KNOWN_LEAD |= {"L13": 0, "L14": 0, "L16": 0, "L17": 2 * H, "L18": 0}

KNOWN_FAILURES = {
    "L6": ("L7", "revert", 2 * H),
    "L8": ("L9", "fix-forward", 4 * H),
    "L17": ("L18", "fix-forward", 1800),
}
"""Failed landing -> (restored by, how, seconds) with the default 7-day window."""

# Per group: deployments, lead median, lead p90 (nearest rank), failures, restore median, restore mean
KNOWN = {
    "environments": {
        # dev: L4 6h, L5 3h, L10 30m, L13 0, L14 0, L17 2h, L18 0 -> sorted 0,0,0,30m,2h,3h,6h
        "dev": (7, 1800, 6 * H, 1, 1800, 1800),
        # staging: L5 3h, L8 24h, L10 30m, L12 5h, L13 0, L14 0 -> 0,0,30m,3h,5h,24h; median (30m+3h)/2
        "staging": (6, 6300, 24 * H, 1, 4 * H, 4 * H),
        # prod: L5 3h, L6 23h, L7 1h, L8 24h, L9 0, L10 30m, L13 0, L14 0, L16 0
        "prod": (9, 1800, 24 * H, 2, 3 * H, 3 * H),
    },
    "teams": {
        "payments": (5, 2 * H, 24 * H, 2, 8100, 8100),  # L4 6h, L8 24h, L9 0, L17 2h, L18 0
        "search": (3, 3 * H, 5 * H, 0, None, None),  # L5 3h, L12 5h, L14 0
    },
    "platform": (5, 1800, 23 * H, 1, 2 * H, 2 * H),  # L6 23h, L7 1h, L10 30m, L13 0, L16 0
    # 13 people's deployments: 0,0,0,0,0,30m,1h,2h,3h,5h,6h,23h,24h; restores 2h, 4h, 30m
    "totals": (13, H, 23 * H, 3, 2 * H, 7800),
}
KNOWN_LIBRARY = {"dev": (1, 1, 0), "staging": (1, 0, 0), "prod": (1, 0, 0)}
"""Environment -> (seeds, upgrades, failures)."""

KNOWN_WEEKS = {  # (week, env) -> (deployments, failures)
    ("2024-01-01", "dev"): (2, 0),
    ("2024-01-01", "staging"): (1, 0),
    ("2024-01-01", "prod"): (3, 1),
    ("2024-01-08", "dev"): (1, 0),
    ("2024-01-08", "staging"): (2, 1),
    ("2024-01-08", "prod"): (3, 1),
    ("2024-01-15", "dev"): (4, 1),
    ("2024-01-15", "staging"): (3, 0),
    ("2024-01-15", "prod"): (3, 0),
}


def clone_bare(source: Path, target: Path) -> Path:
    """`git clone --bare` (the remote's side of a test)."""
    subprocess.run(["git", "clone", "-q", "--bare", str(source), str(target)], check=True, env=HUMAN_GIT_ENV)
    return target


def environ_without_git_config() -> dict[str, str]:
    return {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
