"""Per-environment program for `pulumi up -s <stack>`: read config once, build Platform, export."""

import os
from pathlib import Path

import pulumi

from platform_kit.config import ConfigError, load_pulumi_config
from platform_kit.delivery.credentials import CredentialError
from platform_kit.offline.engine import is_offline
from platform_kit.platform import Platform, PlatformArgs

try:
    config = load_pulumi_config(project_dir=Path(__file__).resolve().parent.parent)
    args = PlatformArgs.from_environment(config, os.environ, offline=is_offline())
except (ConfigError, CredentialError) as error:
    raise pulumi.RunError(str(error)) from None

platform = Platform(config.environment, args)

pulumi.export("environment", config.environment)
pulumi.export("clusterName", platform.cluster.name)
pulumi.export("kubeconfig", platform.cluster.kubeconfig)
pulumi.export("configRepo", config.repo.cluster_url)
pulumi.export("seedCommit", platform.seed_commit)
pulumi.export("metadata", platform.metadata)
pulumi.export("teams", platform.team_outputs)  # team stacks read their namespaces and secrets prefix here

# Push webhooks: register the URL and secret with the Git host (README, "Webhooks").
if platform.agent.webhook_secret is not None:
    pulumi.export("webhookSecret", platform.agent.webhook_secret)
if platform.agent.webhook_url is not None:
    pulumi.export("webhookUrl", platform.agent.webhook_url)
