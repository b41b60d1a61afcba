"""PlatformSecrets: the cloud side of the secrets manager (AWS Secrets Manager + KMS).

Creates a customer-managed KMS key (rotation on), the secrets Pulumi itself generates
(the Grafana admin password) under the `<env>/platform/` prefix, and an identity for
External Secrets Operator allowed only `GetSecretValue`/`DescribeSecret` on that prefix
and `kms:Decrypt` on that key through Secrets Manager. On EKS the identity is a
workload-identity role; elsewhere an IAM user whose key Pulumi stores in a Kubernetes
Secret in the ESO namespace (never in Git).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pulumi_random as random

from platform_kit.aws.identity import WorkloadIdentity, WorkloadIdentityArgs
from platform_kit.aws.kms import rotating_key
from platform_kit.aws.policies import POLICY_VERSION, partition, to_json
from platform_kit.cluster.handle import ClusterHandle
from platform_kit.config.models import PlatformConfig
from platform_kit.naming import type_token
from platform_kit.repo.services.secrets import (
    ESO_NAMESPACE,
    ESO_SERVICE_ACCOUNT,
    GRAFANA_ADMIN_SECRET,
    STATIC_CREDENTIALS_SECRET,
)
from platform_kit.services.static_credentials import static_aws_credentials

READ_ACTIONS = ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")
"""The only Secrets Manager actions ESO gets."""


def eso_read_policy(
    region: str, account_id: str, prefix: str, key_arn: str, subject: str = "Platform"
) -> dict[str, Any]:
    """Least privilege for ESO: read secrets under `prefix`, decrypt with `key_arn` via Secrets Manager only."""
    secrets_arn = f"arn:{partition(region)}:secretsmanager:{region}:{account_id}:secret:{prefix}*"
    return {
        "Version": POLICY_VERSION,
        "Statement": [
            {"Sid": f"Read{subject}Secrets", "Effect": "Allow", "Action": list(READ_ACTIONS), "Resource": secrets_arn},
            {
                "Sid": f"Decrypt{subject}Secrets",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
            },
        ],
    }


@dataclass(frozen=True)
class PlatformSecretsArgs:
    """Inputs of PlatformSecrets."""

    config: PlatformConfig
    """Environment config; `services.secrets` must be enabled."""
    cluster: ClusterHandle
    """The cluster (workload identity on EKS; Kubernetes provider for the ESO namespace)."""
    aws_provider: pulumi.ProviderResource
    """AWS provider in the secrets region."""


class PlatformSecrets(pulumi.ComponentResource):
    """KMS key, platform secrets and ESO's least-privilege identity."""

    eso_role_arn: pulumi.Output[str] | str
    """Workload-identity role of ESO, or `none` with static credentials."""
    grafana_admin_password: pulumi.Output[str] | None
    """The generated Grafana admin password (secret), when observability is on."""

    def __init__(self, name: str, args: PlatformSecretsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("services", "PlatformSecrets"), name, None, opts)
        config = args.config
        region, prefix = config.secrets_region, config.secrets_prefix
        assert region is not None  # guaranteed by config validation
        aws_opts = pulumi.ResourceOptions(parent=self, provider=args.aws_provider)
        key = rotating_key(
            f"{name}-key",
            alias=config.secrets_key_alias,
            description=f"platform secrets of {config.secrets_scope}",
            opts=aws_opts,
        )
        self.grafana_admin_password = None
        if config.services.observability.enabled:
            self.grafana_admin_password = self._grafana_admin(name, prefix, key, aws_opts)

        account = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(parent=self, provider=args.aws_provider)
        )
        policy = pulumi.Output.all(account.account_id, key.arn).apply(
            lambda v: to_json(eso_read_policy(region, v[0], prefix, v[1]))
        )
        namespace = k8s.core.v1.Namespace(
            f"{name}-eso-namespace",
            metadata={"name": ESO_NAMESPACE, "labels": {"app.kubernetes.io/managed-by": "pulumi"}},
            opts=pulumi.ResourceOptions(parent=self, provider=args.cluster.provider),
        )
        if config.secrets_auth == "workload-identity":
            if args.cluster.identity is None:
                raise ValueError("workload-identity secrets auth needs an EKS cluster")
            identity = WorkloadIdentity(
                f"{name}-eso",
                WorkloadIdentityArgs(
                    issuer=args.cluster.identity,
                    namespace=ESO_NAMESPACE,
                    service_account=ESO_SERVICE_ACCOUNT,
                    policy_json=policy,
                ),
                opts=aws_opts,
            )
            self.eso_role_arn = identity.role_arn
        else:
            self._static_credentials(name, policy, namespace, args, aws_opts)
            self.eso_role_arn = "none"
        self.key_arn = key.arn
        self.aws_provider = args.aws_provider
        self.eso_namespace = namespace
        self.register_outputs({"keyArn": key.arn, "prefix": prefix, "esoRoleArn": self.eso_role_arn})

    def _grafana_admin(
        self, name: str, prefix: str, key: aws.kms.Key, opts: pulumi.ResourceOptions
    ) -> pulumi.Output[str]:
        password = random.RandomPassword(
            f"{name}-grafana-admin", length=32, special=False, opts=pulumi.ResourceOptions(parent=self)
        )
        secret = aws.secretsmanager.Secret(
            f"{name}-grafana-admin",
            name=f"{prefix}{GRAFANA_ADMIN_SECRET}",
            description="Grafana admin credentials (read by External Secrets Operator)",
            kms_key_id=key.arn,
            recovery_window_in_days=7,
            opts=opts,
        )
        aws.secretsmanager.SecretVersion(
            f"{name}-grafana-admin",
            secret_id=secret.id,
            secret_string=pulumi.Output.secret(
                password.result.apply(lambda value: json.dumps({"admin-user": "admin", "admin-password": value}))
            ),
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["secretString"])),
        )
        return pulumi.Output.secret(password.result)

    def _static_credentials(
        self,
        name: str,
        policy: pulumi.Output[str],
        namespace: k8s.core.v1.Namespace,
        args: PlatformSecretsArgs,
        opts: pulumi.ResourceOptions,
    ) -> None:
        static_aws_credentials(
            f"{name}-eso",
            path="/platform-kit/",
            policy=policy,
            secret_metadata={"name": STATIC_CREDENTIALS_SECRET, "namespace": ESO_NAMESPACE},
            aws_opts=opts,
            k8s_opts=pulumi.ResourceOptions(parent=self, provider=args.cluster.provider, depends_on=[namespace]),
        )
