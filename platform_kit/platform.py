"""Platform: wires cluster -> GitOps agent -> config repo seed for one environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from platform_kit.cluster import ClusterHandle, ExistingCluster, ExistingClusterArgs
from platform_kit.config.metadata import NO_VALUE, PlatformMetadata
from platform_kit.config.models import ClusterConfig, PlatformConfig
from platform_kit.config.teams import team_secrets_prefix
from platform_kit.delivery.credentials import resolve_git_auth, resolve_notification_url, resolve_sso_client_secret
from platform_kit.gitops import AgentArgs, ConfigRepoSeed, ConfigRepoSeedArgs, FluxAgent
from platform_kit.gitops.hosting import git_hosting
from platform_kit.naming import type_token
from platform_kit.publish import GitAuth
from platform_kit.repo import render_config_repo


@dataclass(frozen=True)
class PlatformArgs:
    """Inputs of Platform: the config plus the secrets resolved at the program's edge."""

    config: PlatformConfig
    """The environment's validated config."""
    auth: GitAuth | None = None
    """Resolved config repo credentials (see `platform_kit.gitops.credentials.resolve_git_auth`)."""
    notification_url: str | None = None
    """Resolved webhook URL of the agent's notifications (a secret), if configured."""
    sso_client_secret: str | None = None
    """Resolved OIDC client secret of an Argo CD with SSO (see `resolve_sso_client_secret`)."""

    @classmethod
    def from_environment(
        cls, config: PlatformConfig, environ: Mapping[str, str], *, offline: bool = False
    ) -> PlatformArgs:
        """Resolve every secret reference of `config` (env vars, secure config) once, at the edge."""
        return cls(
            config=config,
            auth=resolve_git_auth(config.repo.credentials, environ, offline=offline),
            notification_url=resolve_notification_url(
                config.services.observability.notifications, environ, offline=offline
            ),
            sso_client_secret=resolve_sso_client_secret(config.gitops, environ, offline=offline),
        )


def build_cluster(name: str, config: ClusterConfig, opts: pulumi.ResourceOptions) -> ClusterHandle:
    """The cluster component for `config.kind`; AWS modules are imported only for AWS clusters."""
    if config.kind == "existing":
        return ExistingCluster(name, ExistingClusterArgs(config=config), opts=opts).handle
    if config.kind == "eks":
        from platform_kit.cluster.eks import EksCluster, EksClusterArgs

        return EksCluster(name, EksClusterArgs(config=config), opts=opts).handle
    raise ValueError(f"unsupported cluster kind {config.kind!r}")


def build_agent(name: str, args: AgentArgs, opts: pulumi.ResourceOptions) -> pulumi.ComponentResource:
    """The GitOps agent component for `gitops.agent`."""
    if args.config.gitops.agent == "flux":
        return FluxAgent(name, args, opts=opts)
    if args.config.gitops.agent == "argocd":
        from platform_kit.gitops.argocd import ArgoCdAgent

        return ArgoCdAgent(name, args, opts=opts)
    raise ValueError(f"unsupported GitOps agent {args.config.gitops.agent!r}")


def metadata_variables(
    config: PlatformConfig,
    cluster: ClusterHandle,
    eso_role_arn: pulumi.Input[str] = NO_VALUE,
    team_role_arns: Mapping[str, pulumi.Input[str]] | None = None,
) -> pulumi.Output[dict[str, str]]:
    """The metadata contract for this environment as `PLATFORM_*` variables (one more per team)."""
    secrets_on = config.services.secrets.enabled
    teams = pulumi.Output.all(**dict(team_role_arns or {})) if team_role_arns else {}
    return pulumi.Output.all(cluster.name, cluster.region, eso_role_arn, teams).apply(
        lambda values: PlatformMetadata(
            environment=config.environment,
            cluster_name=values[0],
            cluster_kind=cluster.kind,
            region=values[1] or NO_VALUE,
            repo_url=config.repo.cluster_url,
            repo_branch=config.repo.branch,
            repo_path=config.environment_path,
            secrets_region=(config.secrets_region or NO_VALUE) if secrets_on else NO_VALUE,
            secrets_prefix=config.secrets_prefix if secrets_on else NO_VALUE,
            eso_role_arn=values[2] or NO_VALUE,
            team_role_arns=values[3],
        ).to_variables()
    )


def build_teams(name: str, config: PlatformConfig, cluster: ClusterHandle, secrets, opts: pulumi.ResourceOptions):
    """The cloud side of the teams' secrets, or None without teams or without the secrets service."""
    if not config.teams or secrets is None:
        return None
    from platform_kit.services.teams import PlatformTeams, PlatformTeamsArgs

    args = PlatformTeamsArgs(
        config=config,
        cluster=cluster,
        aws_provider=secrets.aws_provider,
        key_arn=secrets.key_arn,
        eso_role_arn=secrets.eso_role_arn,
        eso_namespace=secrets.eso_namespace,
    )
    return PlatformTeams(name, args, opts=opts)


def team_outputs(config: PlatformConfig, teams, secrets=None) -> pulumi.Output[dict[str, dict]]:
    """What a team's own stack needs from the platform stack, per team (exported as `teams`)."""
    secrets_on = config.services.secrets.enabled
    roles = teams.role_arns if teams is not None else {}
    key = secrets.key_arn if secrets is not None else NO_VALUE
    arns = {team.name: roles.get(team.name, NO_VALUE) for team in config.teams}
    return pulumi.Output.all(key, pulumi.Output.all(**arns) if arns else {}).apply(
        lambda values: {
            team.name: {
                "namespaces": list(team.all_namespaces),
                "homeNamespace": team.home_namespace,
                "secretsPrefix": team_secrets_prefix(config.environment, team.name) if secrets_on else NO_VALUE,
                "secretsRegion": (config.secrets_region or NO_VALUE) if secrets_on else NO_VALUE,
                "secretsKeyArn": values[0] if secrets_on else NO_VALUE,
                "roleArn": values[1][team.name],
            }
            for team in config.teams
        }
    )


def build_secrets(name: str, config: PlatformConfig, cluster: ClusterHandle, opts: pulumi.ResourceOptions):
    """The cloud side of the secrets manager, or None when secrets are off (imports AWS lazily)."""
    if not config.services.secrets.enabled:
        return None
    import pulumi_aws as aws

    from platform_kit.services.secrets import PlatformSecrets, PlatformSecretsArgs

    provider = cluster.aws_provider
    if provider is None or config.services.secrets.region not in (None, config.secrets_region):
        provider = aws.Provider(
            f"{name}-aws",
            region=config.secrets_region,
            default_tags={"tags": {"environment": config.environment, **config.services.secrets.tags}},
            opts=opts,
        )
    return PlatformSecrets(name, PlatformSecretsArgs(config=config, cluster=cluster, aws_provider=provider), opts=opts)


class Platform(pulumi.ComponentResource):
    """One environment's platform: a cluster handed over to a GitOps agent and its seeded repo."""

    cluster: ClusterHandle
    """The cluster handle (provider and facts)."""
    seed_commit: pulumi.Output[str]
    """Sha of the seed commit made by this run ('' when the repo already had every file)."""

    def __init__(self, name: str, args: PlatformArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("platform", "Platform"), name, None, opts)
        config = args.config
        child = pulumi.ResourceOptions(parent=self)

        self.cluster = build_cluster(f"{name}-cluster", config.cluster, child)
        self.secrets = build_secrets(f"{name}-secrets", config, self.cluster, child)
        self.teams = build_teams(f"{name}-teams", config, self.cluster, self.secrets, child)
        self.team_outputs = team_outputs(config, self.teams, self.secrets)

        # Git hosting (issue #6): on GitHub, the repo and the agent's deploy key; elsewhere a pass-through.
        hosting = git_hosting(f"{name}-github", config, args.auth, child)
        files = {manifest.path: manifest.content for manifest in render_config_repo(config)}
        seed = ConfigRepoSeed(
            f"{name}-seed",
            ConfigRepoSeedArgs(
                url=config.repo.url,
                branch=config.repo.branch,
                files=files,
                environment=config.environment,
                auth=args.auth,
                pull_requests=hosting.pull_requests,
                after=hosting.seed_after,
            ),
            opts=child,
        )
        self.seed_commit = seed.commit

        self.metadata = metadata_variables(
            config,
            self.cluster,
            self.secrets.eso_role_arn if self.secrets else NO_VALUE,
            self.teams.role_arns if self.teams else None,
        )
        sync_after = [seed.resource, *hosting.sync_after, *([self.secrets] if self.secrets else [])]
        sync_after += [self.teams] if self.teams else []
        self.agent = build_agent(
            f"{name}-{config.gitops.agent}",
            AgentArgs(
                config=config,
                metadata=self.metadata,
                auth=hosting.agent_auth(args.auth),
                sync_after=sync_after,
                notification_url=args.notification_url,
                sso_client_secret=args.sso_client_secret,
            ),
            pulumi.ResourceOptions(parent=self, provider=self.cluster.provider),
        )
        hosting.hand_over(seed.resource, self.agent)  # GitHub: branch protection after the seed, agent webhook
        self.register_outputs(
            {"clusterName": self.cluster.name, "seedCommit": self.seed_commit, "metadata": self.metadata}
        )
