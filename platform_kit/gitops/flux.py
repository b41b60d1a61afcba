"""FluxAgent: the first install of Flux (via the Flux Operator) and the root sync of the config repo.

Pulumi owns: the namespace, the operator's first Helm release, the first FluxInstance,
the Git credential Secret, the metadata ConfigMap and the root GitRepository/Kustomization.
The repo holds the same FluxInstance and an operator HelmRelease, so Flux upgrades itself;
Pulumi ignores later changes to those objects and never fights Flux over them.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from platform_kit import versions
from platform_kit.config.metadata import METADATA_CONFIGMAP
from platform_kit.config.models import FluxConfig
from platform_kit.delivery.credentials import flux_secret_data
from platform_kit.gitops.agent import AgentArgs
from platform_kit.gitops.objects import MANAGED_BY, custom_resource
from platform_kit.gitops.webhook import webhook_password
from platform_kit.naming import type_token
from platform_kit.repo.flux.notifications import NOTIFICATIONS_SECRET
from platform_kit.repo.flux.objects import (
    RECEIVER_TOKEN_SECRET,
    ROOT_NAME,
    flux_instance,
    receiver_webhook_path,
    root_git_repository,
    root_kustomization,
    webhook_receiver,
)

WAIT_FOR_READY = {"pulumi.com/waitFor": "condition=Ready"}
"""pulumi-kubernetes annotation: `pulumi up` waits until the object reports Ready."""


class FluxAgent(pulumi.ComponentResource):
    """Installs Flux and points it at the config repo; afterwards Flux manages itself."""

    namespace: str
    """Namespace Flux runs in (`gitops.namespace`)."""
    root_sync: k8s.apiextensions.CustomResource
    """The root Kustomization; deleting it makes Flux prune everything it applied."""
    webhook_secret: pulumi.Output[str] | None
    """Token of the push webhook Receiver (a Pulumi secret); None without `notification-controller`."""
    webhook_url: pulumi.Output[str] | None
    """Public URL of the Receiver (`<webhook.publicUrl>/hook/<digest>`, a secret); None without a public URL."""

    def __init__(self, name: str, args: AgentArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("gitops", "FluxAgent"), name, None, opts)
        flux = args.config.gitops
        if not isinstance(flux, FluxConfig):
            raise TypeError("FluxAgent needs gitops.agent = flux")
        child = pulumi.ResourceOptions(parent=self)
        ready_timeout = pulumi.CustomTimeouts(
            create=f"{flux.ready_timeout_seconds}s", update=f"{flux.ready_timeout_seconds}s"
        )

        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata={"name": flux.namespace, "labels": MANAGED_BY},
            opts=child,
        )
        operator = k8s.helm.v3.Release(
            f"{name}-operator",
            k8s.helm.v3.ReleaseArgs(
                name="flux-operator",
                chart=versions.FLUX_OPERATOR_CHART,
                version=flux.operator_chart_version,
                namespace=namespace.metadata["name"],
                skip_await=False,
                atomic=True,
            ),
            # Flux upgrades the operator from Git (flux-system/flux-operator.yaml) after bootstrap.
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(ignore_changes=["version", "values", "chart"])
            ),
        )
        instance_body = flux_instance(flux)
        instance = custom_resource(
            f"{name}-instance",
            instance_body,
            # The repo holds this object from now on; Pulumi created it once and leaves it be.
            annotations=WAIT_FOR_READY,
            opts=pulumi.ResourceOptions.merge(
                child,
                pulumi.ResourceOptions(depends_on=[operator], ignore_changes=["spec"], custom_timeouts=ready_timeout),
            ),
        )
        source_dependencies: list[pulumi.Resource] = [instance, *args.sync_after]
        if args.auth is not None:
            source_dependencies.append(
                k8s.core.v1.Secret(
                    f"{name}-git-credentials",
                    metadata={"name": ROOT_NAME, "namespace": flux.namespace, "labels": MANAGED_BY},
                    type="Opaque",
                    string_data=pulumi.Output.secret(flux_secret_data(args.auth)),
                    opts=pulumi.ResourceOptions.merge(
                        child,
                        pulumi.ResourceOptions(
                            depends_on=[namespace], additional_secret_outputs=["data", "stringData"]
                        ),
                    ),
                )
            )
        metadata_map = k8s.core.v1.ConfigMap(
            f"{name}-metadata",
            metadata={"name": METADATA_CONFIGMAP, "namespace": flux.namespace, "labels": MANAGED_BY},
            data=args.contract().apply(lambda contract: contract.to_variables()),
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[namespace])),
        )
        source_body = root_git_repository(args.config, flux)
        source = custom_resource(
            f"{name}-source",
            source_body,
            annotations=WAIT_FOR_READY,
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(depends_on=source_dependencies, custom_timeouts=ready_timeout)
            ),
        )
        root_body = root_kustomization(args.config, flux)
        # Depends on everything above, so `pulumi destroy` deletes it first and waits while
        # Flux's finalizer prunes what it applied, before the agent itself goes.
        self.root_sync = custom_resource(
            f"{name}-root-sync",
            root_body,
            annotations=WAIT_FOR_READY,
            opts=pulumi.ResourceOptions.merge(
                child,
                pulumi.ResourceOptions(
                    depends_on=[source, metadata_map, *source_dependencies], custom_timeouts=ready_timeout
                ),
            ),
        )
        if args.notification_url is not None:
            k8s.core.v1.Secret(
                f"{name}-notifications",
                metadata={"name": NOTIFICATIONS_SECRET, "namespace": flux.namespace, "labels": MANAGED_BY},
                type="Opaque",
                string_data=pulumi.Output.secret({"address": args.notification_url}),
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[namespace], additional_secret_outputs=["data", "stringData"]
                ),
            )
        self.webhook_secret, self.webhook_url = self._webhook(name, flux, namespace, source, ready_timeout)
        self.namespace = flux.namespace
        self.register_outputs(
            {"namespace": flux.namespace, "rootSync": ROOT_NAME, "webhookSecret": self.webhook_secret}
        )

    def _webhook(self, name: str, flux: FluxConfig, namespace, source, ready_timeout):
        """A Receiver for Git push webhooks, its generated token Secret, and the public URL."""
        if "notification-controller" not in flux.components:
            return None, None
        password = webhook_password(name, self)
        token = k8s.core.v1.Secret(
            f"{name}-webhook-token",
            metadata={"name": RECEIVER_TOKEN_SECRET, "namespace": flux.namespace, "labels": MANAGED_BY},
            type="Opaque",
            string_data=pulumi.Output.secret(password.result.apply(lambda secret: {"token": secret})),
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[namespace], additional_secret_outputs=["data", "stringData"]
            ),
        )
        body = webhook_receiver(flux)
        custom_resource(
            f"{name}-receiver",
            body,
            annotations=WAIT_FOR_READY,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[source, token], custom_timeouts=ready_timeout),
        )
        public_url = flux.webhook.public_url
        if public_url is None:
            return password.result, None
        receiver = body["metadata"]
        url = password.result.apply(
            lambda secret: public_url + receiver_webhook_path(secret, receiver["name"], receiver["namespace"])
        )
        return password.result, url
