"""PlatformAddons: the IAM side of the optional add-ons (one workload identity each).

The load balancer controller, external-dns and cert-manager each get a role usable only by
their own service account, with the narrowed policy of `platform_kit.aws.addon_policies`.
Their charts come from the config repo and find the roles through the metadata contract.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from platform_kit.aws.addon_policies import cert_manager_policy, external_dns_policy, load_balancer_controller_policy
from platform_kit.aws.identity import IdentityIssuer, WorkloadIdentity, WorkloadIdentityArgs
from platform_kit.aws.policies import to_json
from platform_kit.config.addons import ADDON_ACCOUNTS, AddonsConfig
from platform_kit.naming import type_token


@dataclass(frozen=True)
class PlatformAddonsArgs:
    """Inputs of PlatformAddons."""

    config: AddonsConfig
    """Which add-ons are on, and their zones."""
    cluster_name: str
    """EKS cluster name (the load balancer controller's tag condition names it)."""
    region: str
    """Region of the cluster."""
    issuer: IdentityIssuer
    """Workload identity of the cluster."""


class PlatformAddons(pulumi.ComponentResource):
    """One IAM role per enabled AWS add-on."""

    role_arns: dict[str, pulumi.Output[str]]
    """Metadata contract field (`external_dns_role_arn`, ...) -> role ARN."""

    def __init__(self, name: str, args: PlatformAddonsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("services", "PlatformAddons"), name, None, opts)
        config = args.config
        documents = {
            "load_balancer_controller": lambda: load_balancer_controller_policy(args.cluster_name, args.region),
            "external_dns": lambda: external_dns_policy([z.id for z in config.external_dns.zones], args.region),
            "cert_manager": lambda: cert_manager_policy([z.id for z in config.cert_manager.zones], args.region),
        }
        self.role_arns = {}
        for addon in config.aws_addons:
            namespace, account = ADDON_ACCOUNTS[addon]
            identity = WorkloadIdentity(
                f"{name}-{addon.replace('_', '-')}",
                WorkloadIdentityArgs(
                    issuer=args.issuer,
                    namespace=namespace,
                    service_account=account,
                    policy_json=to_json(documents[addon]()),
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.role_arns[f"{addon}_role_arn"] = identity.role_arn
        self.register_outputs({"roleArns": self.role_arns})
