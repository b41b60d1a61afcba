"""PlatformTeams: the cloud side of each team's secrets (AWS IAM), next to the platform's secrets manager.

Per team, a prefix `<env>/teams/<team>/` in AWS Secrets Manager and an identity allowed only
`GetSecretValue`/`DescribeSecret` there and `kms:Decrypt` on the platform key through
Secrets Manager:

- EKS with IRSA: a role trusted only by the `team-secrets` service account of each team
  namespace (ESO authenticates as it; the seeded SecretStore names it);
- EKS with Pod Identity: a role trusted only by ESO's own role, which ESO assumes for the
  team's SecretStore (`spec.provider.aws.role`); the team cannot edit that store;
- other clusters: an IAM user whose key Pulumi keeps in `team-<team>-aws-credentials` in the
  ESO namespace (never in Git), read by the team's ClusterSecretStore.

The role ARNs reach the seeded manifests through the metadata contract
(`PLATFORM_TEAM_<TEAM>_ROLE_ARN` / `platform-kit.io/team-<team>-role-arn`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from platform_kit.aws.policies import irsa_subjects_trust_policy, role_chaining_trust_policy, to_json
from platform_kit.cluster.handle import ClusterHandle
from platform_kit.config.metadata import NO_VALUE
from platform_kit.config.models import PlatformConfig
from platform_kit.config.teams import TeamConfig, team_secrets_prefix
from platform_kit.naming import type_token
from platform_kit.repo.teams.objects import ESO_NAMESPACE, STATIC_CREDENTIALS, TEAM_STORE
from platform_kit.services.secrets import eso_read_policy
from platform_kit.services.static_credentials import static_aws_credentials


@dataclass(frozen=True)
class PlatformTeamsArgs:
    """Inputs of PlatformTeams."""

    config: PlatformConfig
    """Environment config; `teams` and `services.secrets` must be set."""
    cluster: ClusterHandle
    """The cluster (workload identity issuer on EKS; Kubernetes provider for static keys)."""
    aws_provider: pulumi.ProviderResource
    """AWS provider in the secrets region."""
    key_arn: pulumi.Input[str]
    """The platform's KMS key; teams may decrypt with it only through Secrets Manager."""
    eso_role_arn: pulumi.Input[str]
    """ESO's own role (Pod Identity: the only principal trusted by team roles)."""
    eso_namespace: pulumi.Resource | None = None
    """The ESO namespace Pulumi owns (static keys are written there after it exists)."""


class PlatformTeams(pulumi.ComponentResource):
    """Each team's least-privilege identity for its secrets prefix."""

    role_arns: dict[str, pulumi.Output[str] | str]
    """Team name -> role ARN its SecretStores use (`none` for IAM-user teams)."""

    def __init__(self, name: str, args: PlatformTeamsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("services", "PlatformTeams"), name, None, opts)
        config = args.config
        region = config.secrets_region
        assert region is not None  # guaranteed by config validation when secrets are on
        self._args, self._mode = args, config.secrets_mode
        self._aws_opts = pulumi.ResourceOptions(parent=self, provider=args.aws_provider)
        account = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self, provider=args.aws_provider)
        )
        # Outputs every team shares are resolved once (one apply per team each, not one gather per team).
        account_and_key = pulumi.Output.all(account.account_id, args.key_arn)
        self._trust = self._shared_trust()
        self.role_arns = {}
        for team in config.teams:
            prefix = team_secrets_prefix(config.secrets_scope, team.name)
            policy = account_and_key.apply(
                lambda v, prefix=prefix: to_json(eso_read_policy(region, v[0], prefix, v[1], subject="Team"))
            )
            if self._mode == "static":
                self._static_identity(f"{name}-{team.name}", team, policy)
                self.role_arns[team.name] = NO_VALUE
            else:
                self.role_arns[team.name] = self._role(f"{name}-{team.name}", team, policy)
        self.register_outputs({"roleArns": self.role_arns})

    def _shared_trust(self) -> pulumi.Output | None:
        """IRSA: the issuer (provider ARN, URL); Pod Identity: the trust policy itself (ESO's role for every team)."""
        if self._mode == "irsa":
            issuer = self._args.cluster.identity
            if issuer is None or issuer.oidc_provider_arn is None or issuer.oidc_issuer_url is None:
                raise ValueError("IRSA team identities need the cluster's OIDC provider")
            return pulumi.Output.all(issuer.oidc_provider_arn, issuer.oidc_issuer_url)
        if self._mode == "pod-identity":
            return pulumi.Output.from_input(self._args.eso_role_arn).apply(
                lambda arn: to_json(role_chaining_trust_policy(arn))
            )
        return None

    def _role(self, name: str, team: TeamConfig, policy: pulumi.Output[str]) -> pulumi.Output[str]:
        assert self._trust is not None
        trust = self._trust
        if self._mode == "irsa":
            subjects = [(namespace, TEAM_STORE) for namespace in team.all_namespaces]
            trust = trust.apply(lambda v: to_json(irsa_subjects_trust_policy(v[0], v[1], subjects)))
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=trust,
            description=f"secrets of team {team.name} ({self._args.config.environment})",
            opts=self._aws_opts,
        )
        aws.iam.RolePolicy(f"{name}-policy", role=role.id, policy=policy, opts=self._aws_opts)
        return role.arn

    def _static_identity(self, name: str, team: TeamConfig, policy: pulumi.Output[str]) -> None:
        depends_on = [self._args.eso_namespace] if self._args.eso_namespace is not None else []
        static_aws_credentials(
            name,
            path="/platform-kit/teams/",
            policy=policy,
            secret_metadata={"name": STATIC_CREDENTIALS.format(team=team.name), "namespace": ESO_NAMESPACE},
            aws_opts=self._aws_opts,
            k8s_opts=pulumi.ResourceOptions(parent=self, provider=self._args.cluster.provider, depends_on=depends_on),
        )
