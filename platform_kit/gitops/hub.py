"""Fleet hub-and-spoke on Argo CD: a spoke registers itself on its hub (Pulumi side).

`HubRegistration` runs in the *spoke's* stack, so adding a cluster is one `pulumi up` and
removing it one `pulumi destroy`. It reads the hub stack's `fleet` and `kubeconfig`
outputs (a StackReference), reaches the hub with a Kubernetes provider of its own, and
writes there the spoke's cluster Secret: the metadata contract as labels and annotations
(the shape of the in-cluster Secret) plus the fleet labels the hub's ApplicationSets select
by, and the credentials Argo CD uses:

- EKS spoke: `awsAuthConfig` (the hub's Argo CD role through Pod Identity, granted on this
  cluster only by an access entry, `platform_kit.aws.hub_access.SpokeAccess`); no token.
- existing spoke: a service account token (`argocd-manager` in `kube-system`, bound to
  cluster-admin, as `argocd cluster add` does) kept only as a Pulumi secret: the one
  long-lived credential of a fleet, because an arbitrary cluster offers no federation.

The hub's own side (its Argo CD role, the `fleet` output) is `hub_outputs` below.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import yaml

from platform_kit.cluster.handle import ClusterHandle
from platform_kit.config.fleet import MANAGER_ACCOUNT, MANAGER_NAMESPACE, HubRole, SpokeRole
from platform_kit.config.metadata import NO_VALUE, PlatformMetadata
from platform_kit.config.models import PlatformConfig
from platform_kit.gitops.objects import MANAGED_BY
from platform_kit.naming import type_token
from platform_kit.repo.argocd.fleet import (
    aws_cluster_config,
    spoke_cluster_secret,
    spoke_labels,
    token_cluster_config,
)

FLEET_OUTPUT = "fleet"
"""Hub stack output read by spokes: fleet name, cluster, Argo CD namespace and role."""
KUBECONFIG_OUTPUT = "kubeconfig"
"""Hub stack output (secret) the spoke's provider for the hub is built from."""


@dataclass(frozen=True)
class HubRegistrationArgs:
    """Inputs of HubRegistration."""

    config: PlatformConfig
    """The spoke's config (`fleet.role: spoke`, `gitops.agent: argocd`)."""
    cluster: ClusterHandle
    """The spoke cluster."""
    metadata: pulumi.Input[PlatformMetadata]
    """The spoke's metadata contract."""
    sync_after: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """What the registration waits for (the seed): the hub applies the spoke's files once they exist."""


def kubeconfig_cluster(kubeconfig: str) -> tuple[str, str]:
    """(server, certificate-authority-data) of a kubeconfig's current context."""
    document = yaml.safe_load(kubeconfig)
    contexts = {c["name"]: c["context"] for c in document.get("contexts") or []}
    current = contexts.get(document.get("current-context"), {})
    clusters = {c["name"]: c["cluster"] for c in document.get("clusters") or []}
    cluster = clusters.get(current.get("cluster")) or next(iter(clusters.values()))
    return cluster["server"], cluster.get("certificate-authority-data", "")


class HubRegistration(pulumi.ComponentResource):
    """A spoke's registration on its hub: grants on the spoke and its cluster Secret on the hub."""

    namespace: str
    """The hub's Argo CD namespace where the registration lives."""
    root_sync: pulumi.CustomResource
    """The cluster Secret on the hub; deleting it deregisters the spoke."""
    webhook_secret: pulumi.Output[str] | None = None
    """None: the spoke has no agent receiving webhooks (the hub has)."""
    webhook_url: pulumi.Output[str] | None = None
    """None: see `webhook_secret`."""

    def __init__(self, name: str, args: HubRegistrationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("gitops", "HubRegistration"), name, None, opts)
        config, cluster = args.config, args.cluster
        fleet = config.fleet
        if not isinstance(fleet, SpokeRole) or fleet.hub is None or config.gitops.agent != "argocd":
            raise TypeError("HubRegistration needs fleet.role = spoke with a hub and gitops.agent = argocd")
        self.namespace = config.gitops.namespace
        hub = pulumi.StackReference(f"{name}-hub", stack_name=fleet.hub.stack, opts=pulumi.ResourceOptions(parent=self))
        hub_fleet = hub.require_output(FLEET_OUTPUT)
        hub_provider = k8s.Provider(
            f"{name}-hub-provider",
            kubeconfig=pulumi.Output.secret(hub.require_output(KUBECONFIG_OUTPUT)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        on_spoke = pulumi.ResourceOptions(parent=self, provider=cluster.provider)
        waits: list[pulumi.Resource] = list(args.sync_after)
        if cluster.kind == "eks":
            from platform_kit.aws.hub_access import SpokeAccess, SpokeAccessArgs

            role_arn = hub_fleet.apply(_hub_role)
            access = SpokeAccess(
                f"{name}-access",
                SpokeAccessArgs(cluster_name=cluster.name, region=str(cluster.region), hub_role_arn=role_arn),
                opts=pulumi.ResourceOptions(parent=self, provider=cluster.aws_provider),
            )
            waits.append(access.grant)
            server_ca = cluster.kubeconfig.apply(kubeconfig_cluster)
            server = server_ca.apply(lambda v: v[0])
            cluster_config = pulumi.Output.all(cluster.name, server_ca).apply(
                lambda v: json.dumps(aws_cluster_config(v[0], v[1][1]), sort_keys=True)
            )
        else:
            token_secret = self._manager_token(name, on_spoke)
            waits.append(token_secret)
            data = token_secret.data
            cluster_config = pulumi.Output.secret(data).apply(
                lambda d: json.dumps(
                    token_cluster_config(_decoded(d, "token"), (d or {}).get("ca.crt", "")), sort_keys=True
                )
            )
            server = pulumi.Output.from_input(str(fleet.api_server))
        # The contract (labels, annotations) stays readable; only the credentials are secret.
        meta = pulumi.Output.all(hub_fleet, args.metadata).apply(
            lambda v: _secret_body(config, v[0], v[1], "", "")["metadata"]
        )
        string_data = pulumi.Output.all(args.metadata, server, cluster_config).apply(
            lambda v: {"name": v[0].cluster_name, "server": v[1], "config": v[2]}
        )
        self.root_sync = k8s.core.v1.Secret(
            f"{name}-cluster",
            metadata=meta,
            type="Opaque",
            string_data=pulumi.Output.secret(string_data),
            opts=pulumi.ResourceOptions(
                parent=self, provider=hub_provider, depends_on=waits, additional_secret_outputs=["stringData", "data"]
            ),
        )
        self.register_outputs({"hubNamespace": self.namespace})

    def _manager_token(self, name: str, opts: pulumi.ResourceOptions) -> k8s.core.v1.Secret:
        meta = {"name": MANAGER_ACCOUNT, "namespace": MANAGER_NAMESPACE, "labels": MANAGED_BY}
        account = k8s.core.v1.ServiceAccount(f"{name}-manager", metadata=meta, opts=opts)
        binding = k8s.rbac.v1.ClusterRoleBinding(
            f"{name}-manager",
            metadata={"name": f"{MANAGER_ACCOUNT}-role-binding", "labels": MANAGED_BY},
            role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            subjects=[{"kind": "ServiceAccount", "name": MANAGER_ACCOUNT, "namespace": MANAGER_NAMESPACE}],
            opts=opts,
        )
        return k8s.core.v1.Secret(
            f"{name}-manager-token",
            metadata={
                "name": f"{MANAGER_ACCOUNT}-token",
                "namespace": MANAGER_NAMESPACE,
                "labels": MANAGED_BY,
                "annotations": {"kubernetes.io/service-account.name": MANAGER_ACCOUNT},
            },
            type="kubernetes.io/service-account-token",
            opts=pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(depends_on=[account, binding], additional_secret_outputs=["data"])
            ),
        )


def _decoded(data: dict[str, str] | None, key: str) -> str:
    value = (data or {}).get(key)
    if not value:
        raise ValueError(f"the spoke's {MANAGER_ACCOUNT} token Secret has no `{key}` yet")
    return base64.b64decode(value).decode()


def _hub_role(outputs: dict[str, Any]) -> str:
    role = str(outputs.get("argocdRoleArn") or NO_VALUE)
    if role == NO_VALUE:
        raise ValueError("an EKS spoke needs an EKS hub: the hub stack exports no Argo CD role (argocdRoleArn)")
    return role


def _secret_body(
    config: PlatformConfig, hub: dict[str, Any], metadata: PlatformMetadata, server: str, cluster_config: str
) -> dict[str, Any]:
    namespace = str(hub["argocdNamespace"])
    if namespace != config.gitops.namespace:
        raise ValueError(
            f"platform.gitops.namespace: `{config.gitops.namespace}` differs from the hub's Argo CD namespace "
            f"`{namespace}`"
        )
    labels = {**MANAGED_BY, **metadata.to_labels(), **spoke_labels(config, str(hub["name"]))}
    return spoke_cluster_secret(
        namespace, metadata.cluster_name, server, cluster_config, labels, metadata.to_annotations()
    )


def hub_outputs(config: PlatformConfig, cluster: ClusterHandle, role_arn: pulumi.Input[str] | None) -> pulumi.Output:
    """The hub stack's `fleet` output: what its spokes need to register (no secret; kubeconfig is separate)."""
    if not isinstance(config.fleet, HubRole):
        raise TypeError("hub_outputs needs fleet.role = hub")
    return pulumi.Output.all(cluster.name, role_arn or NO_VALUE).apply(
        lambda v: {
            "name": config.fleet.name,
            "environment": config.environment,
            "clusterName": v[0],
            "argocdNamespace": config.gitops.namespace,
            "argocdRoleArn": v[1],
        }
    )
