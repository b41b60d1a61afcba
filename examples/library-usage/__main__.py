"""platform_kit à la carte: an existing cluster, a GitOps agent and the seeded config repo - nothing else.

No Platform component: this program composes the public pieces itself, and adds a file of its
own to the seed. The same stack config as a full platform (`platform:` keys) drives it.

    pulumi up -s demo                                                        # real use
    platform-kit render --project examples/library-usage --stack demo --out out/lib   # offline
"""

import os
from pathlib import Path

import pulumi

from platform_kit.cluster import ExistingCluster, ExistingClusterArgs
from platform_kit.config import ConfigError, PlatformMetadata, load_pulumi_config
from platform_kit.delivery.credentials import CredentialError, resolve_git_auth
from platform_kit.gitops import AgentArgs, ConfigRepoSeed, ConfigRepoSeedArgs, build_agent
from platform_kit.offline.engine import is_offline
from platform_kit.repo import render_config_repo

try:
    config = load_pulumi_config(project_dir=Path(__file__).resolve().parent)
    auth = resolve_git_auth(config.repo.credentials, os.environ, offline=is_offline())
except (ConfigError, CredentialError) as error:
    raise pulumi.RunError(str(error)) from None
if config.cluster.kind != "existing":
    raise pulumi.RunError("this program only attaches to existing clusters (platform:cluster.kind: existing)")

# 1. The cluster you already have: a handle with its Kubernetes provider.
cluster = ExistingCluster(config.environment, ExistingClusterArgs(config=config.cluster)).handle

# 2. The config repo: the library's pure renderer, plus a file of your own.
files = {manifest.path: manifest.content for manifest in render_config_repo(config)}
extra = pulumi.Config("library").get("extraReadme")
if extra:
    files[f"{config.environment_path}/NOTES.md"] = extra + "\n"
seed = ConfigRepoSeed(
    f"{config.environment}-seed",
    ConfigRepoSeedArgs(
        url=config.repo.url, branch=config.repo.branch, files=files, environment=config.environment, auth=auth
    ),
)

# 3. The metadata contract, written by hand here (Platform would add cloud outputs to it).
metadata = pulumi.Output.from_input(cluster.name).apply(
    lambda name: PlatformMetadata(
        environment=config.environment,
        cluster_name=name,
        cluster_kind=cluster.kind,
        repo_url=config.repo.cluster_url,
        repo_branch=config.repo.branch,
        repo_path=config.environment_path,
        team_role_arns={team.name: "none" for team in config.teams},
    )
)

# 4. The agent named by `gitops.agent`, through the cluster's provider, after the seed.
agent = build_agent(
    f"{config.environment}-{config.gitops.agent}",
    AgentArgs(config=config, metadata=metadata, auth=auth, sync_after=[seed.resource]),
    opts=pulumi.ResourceOptions(provider=cluster.provider),
)

pulumi.export("seedCommit", seed.commit)
pulumi.export("webhookSecret", agent.webhook_secret)
