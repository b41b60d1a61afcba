"""Project skeletons and cluster configs shared by tests that run the repo's own stack program."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

EKS = {
    "kind": "eks",
    "name": "platform-dev",
    "region": "eu-west-1",
    "adminPrincipalArns": ["arn:aws:iam::111122223333:role/platform-admins"],
    "nodeGroups": [{"name": "general", "instanceTypes": ["m7i.large"]}],
}
EXISTING = {"kind": "existing", "name": "onprem-1", "kubeconfig": {"path": "~/.kube/config"}}


def existing_cluster_stack(environment: str = "dev", context: str | None = None) -> dict:
    """A valid stack file (`config:` mapping): an existing cluster, Flux, a config repo without credentials."""
    kubeconfig = {"path": "~/.kube/config", **({"context": context} if context else {})}
    return {
        "config": {
            "platform:environment": environment,
            "platform:cluster": {"kind": "existing", "name": f"{environment}-cluster", "kubeconfig": kubeconfig},
            "platform:gitops": {"agent": "flux"},
            "platform:repo": {
                "url": "https://git.example.com/org/platform-config.git",
                "branch": "main",
                "credentials": {"kind": "none"},
            },
        }
    }


def project_skeleton(root: Path) -> Path:
    """`root` as a project: the repo's Pulumi.yaml, entry point and stack program, no stack files."""
    (root / "stacks").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copy(REPO_ROOT / "__main__.py", root / "__main__.py")
    shutil.copy(REPO_ROOT / "stacks" / "__main__.py", root / "stacks" / "__main__.py")
    return root
