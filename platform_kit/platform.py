"""Platform: wires cluster -> secrets -> teams -> config repo seed -> GitOps agent for one environment.

`PlatformArgs.from_stack()` reads the running stack's config and secrets once (the edge);
`Platform(name, args)` builds everything; `export_stack_outputs(platform)` exports what
other stacks and people need.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pulumi

from platform_kit.cluster import ClusterHandle, ExistingCluster, ExistingClusterArgs
from platform_kit.config import ConfigError, load_pulumi_config
from platform_kit.config.metadata import NO_VALUE, PlatformMetadata
from platform_kit.config.models import ClusterConfig, PlatformConfig
from platform_kit.config.teams import team_secrets_prefix
from platform_kit.delivery.credentials import (
    CredentialError,
    resolve_git_auth,
    resolve_notification_url,
    resolve_sso_client_secret,
)
from platform_kit.gitops.agent import AgentArgs, GitOpsAgent
from platform_kit.gitops.build import build_agent
from platform_kit.gitops.hosting import git_hosting
from platform_kit.gitops.seed import ConfigRepoSeed, ConfigRepoSeedArgs
from platform_kit.naming import type_token
from platform_kit.publish import GitAuth
from platform_kit.repo import render_config_repo

if TYPE_CHECKING:
    from platform_kit.services.secrets import PlatformSecrets
    from platform_kit.services.teams import PlatformTeams
else:  # Pulumi resolves component annotations at run time; the real classes would import pulumi_aws
    PlatformSecrets = PlatformTeams = pulumi.ComponentResource


@dataclass(frozen=True)
class PlatformArgs:
    """Inputs of Platform: the config plus the secrets resolved at the program's edge."""

    config: PlatformConfig
    """The environment's validated config."""
    auth: GitAuth | None = None
    """Resolved config repo credentials (see `platform_kit.delivery.credentials.resolve_git_auth`)."""
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

    @classmethod
    def from_stack(
        cls, project_dir: Path | str | None = None, environ: Mapping[str, str] | None = None
    ) -> PlatformArgs:
        """The running stack's `platform:` config with its secrets resolved; bad config stops the program.

        `project_dir` resolves a local repo path (default: the working directory, where Pulumi runs
        the program); `environ` holds the credential variables (default: `os.environ`). A config or
        credential problem becomes a `pulumi.RunError` naming the field, before any resource exists.
        """
        from platform_kit.offline.engine import is_offline

        try:
            config = load_pulumi_config(project_dir=project_dir)
            return cls.from_environment(config, os.environ if environ is None else environ, offline=is_offline())
        except (ConfigError, CredentialError) as error:
            raise pulumi.RunError(str(error)) from None


def build_cluster(name: str, config: ClusterConfig, opts: pulumi.ResourceOptions) -> ClusterHandle:
    """The cluster component for `config.kind`; AWS modules are imported only for AWS clusters."""
    if config.kind == "existing":
        return ExistingCluster(name, ExistingClusterArgs(config=config), opts=opts).handle
    if config.kind == "eks":
        from platform_kit.cluster.eks import EksCluster, EksClusterArgs

        return EksCluster(name, EksClusterArgs(config=config), opts=opts).handle
    raise ValueError(f"unsupported cluster kind {config.kind!r}")


def platform_metadata(
    config: PlatformConfig,
    cluster: ClusterHandle,
    eso_role_arn: pulumi.Input[str] = NO_VALUE,
    team_role_arns: Mapping[str, pulumi.Input[str]] | None = None,
    extra: Mapping[str, pulumi.Input[str]] | None = None,
) -> pulumi.Output[PlatformMetadata]:
    """The metadata contract for this environment (one role per team; `extra`: further contract fields)."""
    secrets_on = config.services.secrets.enabled
    teams = pulumi.Output.all(**dict(team_role_arns or {})) if team_role_arns else {}
    fields = {**cluster.contract, **(extra or {})}
    more = pulumi.Output.all(**fields) if fields else {}
    return pulumi.Output.all(cluster.name, cluster.region, eso_role_arn, teams, more).apply(
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
            **{field: value or NO_VALUE for field, value in values[4].items()},
        )
    )


def build_addons(
    name: str, config: PlatformConfig, cluster: ClusterHandle, opts: pulumi.ResourceOptions
) -> dict[str, pulumi.Output[str]]:
    """The add-ons' IAM roles as metadata contract fields (none without AWS add-ons)."""
    addons = config.services.addons
    if not addons.aws_addons or cluster.identity is None or config.cluster.kind != "eks":
        return {}
    from platform_kit.services.addons import PlatformAddons, PlatformAddonsArgs

    args = PlatformAddonsArgs(
        config=addons, cluster_name=config.cluster.name, region=config.cluster.region, issuer=cluster.identity
    )
    provider_opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(provider=cluster.aws_provider))
    return PlatformAddons(name, args, opts=provider_opts).role_arns


def build_teams(
    name: str,
    config: PlatformConfig,
    cluster: ClusterHandle,
    secrets: PlatformSecrets | None,
    opts: pulumi.ResourceOptions,
) -> PlatformTeams | None:
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


def team_outputs(
    config: PlatformConfig, teams: PlatformTeams | None, secrets: PlatformSecrets | None = None
) -> pulumi.Output[dict[str, dict]]:
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
                "secretsPrefix": team_secrets_prefix(config.secrets_scope, team.name) if secrets_on else NO_VALUE,
                "secretsRegion": (config.secrets_region or NO_VALUE) if secrets_on else NO_VALUE,
                "secretsKeyArn": values[0] if secrets_on else NO_VALUE,
                "roleArn": values[1][team.name],
            }
            for team in config.teams
        }
    )


def build_secrets(
    name: str, config: PlatformConfig, cluster: ClusterHandle, opts: pulumi.ResourceOptions
) -> PlatformSecrets | None:
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


def build_fleet_hub(
    name: str, config: PlatformConfig, cluster: ClusterHandle, opts: pulumi.ResourceOptions
) -> pulumi.Output[dict] | None:
    """On a hub: the Argo CD role spokes grant (EKS) and the `fleet` output; None elsewhere."""
    if config.fleet.role != "hub":
        return None
    from platform_kit.gitops.hub import hub_outputs

    role_arn = None
    if cluster.kind == "eks":
        from platform_kit.aws.hub_access import HubArgoCdRole, HubArgoCdRoleArgs

        role = HubArgoCdRole(
            name,
            HubArgoCdRoleArgs(cluster_name=cluster.name, namespace=config.gitops.namespace),
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(provider=cluster.aws_provider)),
        )
        role_arn = role.role_arn
    return hub_outputs(config, cluster, role_arn)


class Platform(pulumi.ComponentResource):
    """One environment's platform: a cluster handed over to a GitOps agent and its seeded repo."""

    cluster: ClusterHandle
    """The cluster handle (Kubernetes provider, name, region, kubeconfig)."""
    secrets: PlatformSecrets | None
    """The secrets manager's cloud side (KMS key, ESO identity); None when `services.secrets` is off."""
    teams: PlatformTeams | None
    """The teams' cloud side (secrets prefixes, IAM roles); None without teams or without secrets."""
    team_outputs: pulumi.Output[dict[str, dict]]
    """Per team, what its own stack needs (namespaces, secrets prefix, region, key, role)."""
    seed: ConfigRepoSeed
    """The config repo seed (create-only commit, upgrade proposals)."""
    seed_commit: pulumi.Output[str]
    """Sha of the seed commit made by this run ('' when the repo already had every file)."""
    metadata: pulumi.Output[PlatformMetadata]
    """The metadata contract handed to the agent (typed; `to_variables()` gives the `PLATFORM_*` form)."""
    agent: GitOpsAgent
    """The GitOps agent (root sync, webhook secret and URL); on a hub-managed spoke, its registration on the hub."""
    fleet_outputs: pulumi.Output[dict] | None
    """On a fleet hub, what its spokes read (exported as `fleet`); None elsewhere."""
    config: PlatformConfig
    """The environment's config this platform was built from."""

    def __init__(self, name: str, args: PlatformArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("platform", "Platform"), name, None, opts)
        config = self.config = args.config
        child = pulumi.ResourceOptions(parent=self)

        self.cluster = build_cluster(f"{name}-cluster", config.cluster, child)
        self.secrets = build_secrets(f"{name}-secrets", config, self.cluster, child)
        self.teams = build_teams(f"{name}-teams", config, self.cluster, self.secrets, child)
        self.team_outputs = team_outputs(config, self.teams, self.secrets)
        addon_roles = build_addons(f"{name}-addons", config, self.cluster, child)

        # Git hosting (issue #6): on GitHub, the repo and the agent's deploy key; elsewhere a pass-through.
        hosting = git_hosting(f"{name}-github", config, args.auth, child)
        files = {manifest.path: manifest.content for manifest in render_config_repo(config)}
        seed = ConfigRepoSeed(
            f"{name}-seed",
            ConfigRepoSeedArgs(
                url=config.repo.url,
                branch=config.repo.branch,
                files=files,
                environment=config.seed_name,
                auth=args.auth,
                pull_requests=hosting.pull_requests,
                after=hosting.seed_after,
            ),
            opts=child,
        )
        self.seed, self.seed_commit = seed, seed.commit

        self.metadata = platform_metadata(
            config,
            self.cluster,
            self.secrets.eso_role_arn if self.secrets else NO_VALUE,
            self.teams.role_arns if self.teams else None,
            addon_roles,
        )
        sync_after = [seed.resource, *hosting.sync_after, *([self.secrets] if self.secrets else [])]
        sync_after += [self.teams] if self.teams else []
        self.fleet_outputs = build_fleet_hub(f"{name}-fleet", config, self.cluster, child)
        if config.fleet.role == "spoke" and config.gitops.agent == "argocd":
            # Managed by the hub's Argo CD: the spoke registers itself on the hub (docs/fleets.md).
            from platform_kit.gitops.hub import HubRegistration, HubRegistrationArgs

            self.agent = HubRegistration(
                f"{name}-hub-registration",
                HubRegistrationArgs(config=config, cluster=self.cluster, metadata=self.metadata, sync_after=sync_after),
                child,
            )
        else:
            self.agent = self._build_agent(name, args, hosting, sync_after)
        hosting.hand_over(seed.resource, self.agent)  # GitHub: branch protection after the seed, agent webhook
        self.register_outputs(
            {"clusterName": self.cluster.name, "seedCommit": self.seed_commit, "metadata": self.metadata_variables}
        )

    def _build_agent(self, name: str, args: PlatformArgs, hosting, sync_after: list) -> GitOpsAgent:
        config = self.config
        return build_agent(
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

    @property
    def metadata_variables(self) -> pulumi.Output[dict[str, str]]:
        """The metadata contract as `PLATFORM_*` variables (what the stack exports as `metadata`)."""
        return self.metadata.apply(lambda contract: contract.to_variables())


def export_stack_outputs(platform: Platform) -> None:
    """Export what team stacks, CI and people read from a platform stack (call once, in the program)."""
    config = platform.config
    pulumi.export("environment", config.environment)
    pulumi.export("clusterName", platform.cluster.name)
    pulumi.export("kubeconfig", platform.cluster.kubeconfig)
    pulumi.export("configRepo", config.repo.cluster_url)
    pulumi.export("seedCommit", platform.seed_commit)
    pulumi.export("metadata", platform.metadata_variables)
    pulumi.export("teams", platform.team_outputs)  # team stacks read their namespaces and secrets prefix here
    # Push webhooks: register the URL and secret with the Git host (docs, "Webhooks").
    if platform.agent.webhook_secret is not None:
        pulumi.export("webhookSecret", platform.agent.webhook_secret)
    if platform.agent.webhook_url is not None:
        pulumi.export("webhookUrl", platform.agent.webhook_url)
    if platform.fleet_outputs is not None:  # a fleet hub: what its spokes register with (docs/fleets.md)
        pulumi.export("fleet", platform.fleet_outputs)
