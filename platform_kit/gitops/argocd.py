"""ArgoCdAgent: the first install of Argo CD (Helm chart) and the root Application of the config repo.

Pulumi owns: the namespace, the chart's first Helm release, `argocd-secret` (webhook and
OIDC client secrets), the repository credentials Secret, the cluster Secret carrying the
metadata contract, the `platform` AppProject, the lock-down of the `default` project and
the root Application. The repo holds an Application for the same chart with the same
values, so Argo CD upgrades itself; Pulumi ignores later changes to the release.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from platform_kit import versions
from platform_kit.config.gitops import ArgoCdConfig
from platform_kit.config.metadata import PlatformMetadata
from platform_kit.delivery.credentials import argocd_secret_data
from platform_kit.gitops.agent import AgentArgs
from platform_kit.gitops.objects import MANAGED_BY, custom_resource, with_annotations
from platform_kit.gitops.webhook import webhook_password
from platform_kit.naming import type_token
from platform_kit.repo.argocd.layout import platform_project
from platform_kit.repo.argocd.notifications import NOTIFICATIONS_SECRET, WEBHOOK_URL_KEY
from platform_kit.repo.argocd.objects import (
    API_VERSION,
    ARGOCD_SECRET,
    RELEASE_NAME,
    REPO_SECRET,
    SECRET_TYPE,
    WEBHOOK_PATH,
    chart_values,
    cluster_secret_body,
    locked_default_project,
    settings_secret_data,
)
from platform_kit.repo.argocd.root import root_application, root_metadata

WAIT_FOR_HEALTHY = {"pulumi.com/waitFor": "jsonpath={.status.health.status}=Healthy"}
"""pulumi-kubernetes annotation: `pulumi up` waits until Argo CD reports the Application Healthy."""

PATCH_FORCE = {"pulumi.com/patchForce": "true"}
"""Lets Pulumi's server-side apply take over fields Argo CD set when it created the `default` project."""

ARGOCD_LABELS = {"app.kubernetes.io/part-of": "argocd", "app.kubernetes.io/managed-by": "pulumi"}
"""Labels on argocd-secret (Argo CD reads only Secrets that are part of `argocd`)."""


def cluster_secret(argocd: ArgoCdConfig, metadata: PlatformMetadata) -> dict[str, Any]:
    """The in-cluster cluster Secret carrying the metadata contract as labels and annotations."""
    body = cluster_secret_body(argocd, metadata.cluster_name, metadata.to_labels(), metadata.to_annotations())
    body["metadata"]["labels"] = {**MANAGED_BY, **body["metadata"]["labels"]}
    return body


class ArgoCdAgent(pulumi.ComponentResource):
    """Installs Argo CD and points it at the config repo; afterwards Argo CD manages itself."""

    namespace: str
    """Namespace Argo CD runs in (`gitops.namespace`)."""
    root_sync: k8s.apiextensions.CustomResource
    """The root Application; deleting it makes Argo CD delete everything it applied."""
    webhook_secret: pulumi.Output[str]
    """Secret to register with the Git host's push webhook (a Pulumi secret)."""
    webhook_url: pulumi.Output[str] | None
    """Public URL of the webhook endpoint (`<webhook.publicUrl>/api/webhook`), None without a public URL."""

    def __init__(self, name: str, args: AgentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("gitops", "ArgoCdAgent"), name, None, opts)
        argocd = args.config.gitops
        if not isinstance(argocd, ArgoCdConfig):
            raise TypeError("ArgoCdAgent needs gitops.agent = argocd")
        if argocd.sso is not None and args.sso_client_secret is None:
            raise ValueError("gitops.sso is set but no OIDC client secret was resolved (AgentArgs.sso_client_secret)")
        ns = argocd.namespace
        timeout = f"{argocd.ready_timeout_seconds}s"

        def child(**options) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions.merge(pulumi.ResourceOptions(parent=self), pulumi.ResourceOptions(**options))

        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace", metadata={"name": ns, "labels": MANAGED_BY}, opts=child()
        )
        secret_outputs = ["data", "stringData"]
        password = webhook_password(name, self)
        oidc_secret = args.sso_client_secret if argocd.sso is not None else None
        settings = k8s.core.v1.Secret(
            f"{name}-settings",
            metadata={"name": ARGOCD_SECRET, "namespace": ns, "labels": ARGOCD_LABELS},
            type="Opaque",
            string_data=pulumi.Output.secret(
                pulumi.Output.all(password.result, oidc_secret).apply(lambda v: settings_secret_data(v[0], v[1]))
            ),
            opts=child(depends_on=[namespace], additional_secret_outputs=secret_outputs),
        )
        install = k8s.helm.v3.Release(
            f"{name}-install",
            k8s.helm.v3.ReleaseArgs(
                name=RELEASE_NAME,
                chart=versions.ARGOCD_CHART,
                repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=argocd.chart_repository),
                version=argocd.chart_version,
                namespace=ns,
                values=chart_values(args.config, argocd),
                skip_await=False,
                atomic=True,
                timeout=argocd.ready_timeout_seconds,
            ),
            # Argo CD upgrades itself from Git (clusters/<env>/argocd.yaml) after bootstrap.
            opts=child(
                depends_on=[namespace, settings],
                ignore_changes=["version", "values", "chart", "repositoryOpts"],
            ),
        )
        root_dependencies: list[pulumi.Resource] = [install, settings, *args.sync_after]
        if args.notification_url is not None:
            root_dependencies.append(
                k8s.core.v1.Secret(
                    f"{name}-notifications",
                    metadata={"name": NOTIFICATIONS_SECRET, "namespace": ns, "labels": ARGOCD_LABELS},
                    type="Opaque",
                    string_data=pulumi.Output.secret({WEBHOOK_URL_KEY: args.notification_url}),
                    opts=child(depends_on=[namespace], additional_secret_outputs=secret_outputs),
                )
            )
        if args.auth is not None:
            root_dependencies.append(
                k8s.core.v1.Secret(
                    f"{name}-git-credentials",
                    metadata={
                        "name": REPO_SECRET,
                        "namespace": ns,
                        "labels": {SECRET_TYPE: "repository", **MANAGED_BY},
                    },
                    type="Opaque",
                    string_data=pulumi.Output.secret(argocd_secret_data(args.auth, args.config.repo.cluster_url)),
                    opts=child(depends_on=[namespace], additional_secret_outputs=secret_outputs),
                )
            )
        cluster_body = args.contract().apply(lambda contract: cluster_secret(argocd, contract))
        root_dependencies.append(
            k8s.core.v1.Secret(
                f"{name}-metadata",
                metadata=cluster_body.apply(lambda body: body["metadata"]),
                type="Opaque",
                string_data=cluster_body.apply(lambda body: body["stringData"]),
                opts=child(depends_on=[namespace]),
            )
        )
        for suffix, body, resource_type, extra in (
            ("platform-project", platform_project(args.config, argocd), k8s.apiextensions.CustomResource, {}),
            ("default-project", locked_default_project(argocd), k8s.apiextensions.CustomResourcePatch, PATCH_FORCE),
        ):
            root_dependencies.append(
                resource_type(
                    f"{name}-{suffix}",
                    api_version=body["apiVersion"],
                    kind=body["kind"],
                    metadata=with_annotations(body, extra) if extra else body["metadata"],
                    spec=body["spec"],
                    opts=child(depends_on=[install]),
                )
            )
        # The root's kustomize patches carry the metadata contract into the layer Applications.
        root_spec = args.contract().apply(lambda contract: root_application(args.config, argocd, contract)["spec"])
        root_body = {"apiVersion": API_VERSION, "kind": "Application", "metadata": root_metadata(argocd)}
        root_body["spec"] = root_spec
        # Depends on everything above, so `pulumi destroy` deletes it first and waits while
        # Argo CD's finalizer deletes what it applied, before Argo CD itself goes.
        self.root_sync = custom_resource(
            f"{name}-root-sync",
            root_body,
            annotations=WAIT_FOR_HEALTHY,
            opts=child(
                depends_on=root_dependencies,
                custom_timeouts=pulumi.CustomTimeouts(create=timeout, update=timeout),
            ),
        )
        self.namespace = ns
        self.webhook_secret = password.result
        public_url = argocd.webhook.public_url
        self.webhook_url = pulumi.Output.from_input(public_url + WEBHOOK_PATH) if public_url else None
        self.register_outputs(
            {"namespace": ns, "rootSync": root_body["metadata"]["name"], "webhookSecret": self.webhook_secret}
        )
