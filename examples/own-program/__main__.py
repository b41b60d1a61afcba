"""A team's own Pulumi program: the platform from platform_kit, plus the team's resources.

pulumi up -s demo                                   # real use (Pulumi CLI, cluster, GIT_TOKEN)
platform-kit render --stack demo --out out/demo --project examples/own-program   # offline
"""

from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s

from platform_kit import Platform, PlatformArgs

args = PlatformArgs.from_stack(project_dir=Path(__file__).resolve().parent)
config = args.config
platform = Platform(config.environment, args)

# The team's own resources reuse the cluster's provider from the handle.
sandbox = pulumi.Config("team").get("sandboxNamespace") or "sandbox"
k8s.core.v1.Namespace(
    f"{config.environment}-sandbox",
    metadata={"name": sandbox, "labels": {"pod-security.kubernetes.io/enforce": "restricted"}},
    opts=pulumi.ResourceOptions(provider=platform.cluster.provider),
)

pulumi.export("seedCommit", platform.seed_commit)
