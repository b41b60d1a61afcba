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


def project_skeleton(root: Path) -> Path:
    """`root` as a project: the repo's Pulumi.yaml, entry point and stack program, no stack files."""
    (root / "stacks").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "Pulumi.yaml", root / "Pulumi.yaml")
    shutil.copy(REPO_ROOT / "__main__.py", root / "__main__.py")
    shutil.copy(REPO_ROOT / "stacks" / "__main__.py", root / "stacks" / "__main__.py")
    return root
