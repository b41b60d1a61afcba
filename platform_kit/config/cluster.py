"""Cluster variants, chosen by `cluster.kind`."""

from typing import Annotated, Literal

from pydantic import Field, SecretStr, model_validator

from platform_kit.config.base import DnsLabel, Model
from platform_kit.config.eks import EksClusterConfig


class KubeconfigSource(Model):
    """Where the kubeconfig of an existing cluster comes from: a file path or the content itself."""

    path: str | None = None
    """Path of a kubeconfig file; the Kubernetes provider reads it at run time, so no credential enters state."""
    content: SecretStr | None = None
    """Whole kubeconfig document (use `pulumi config set --secret`); stored only as a Pulumi secret."""
    context: str | None = None
    """Kubeconfig context to use; the file's current context when unset."""

    @model_validator(mode="after")
    def _exactly_one_source(self) -> "KubeconfigSource":
        if (self.path is None) == (self.content is None):
            raise ValueError("set exactly one of `path` or `content`")
        return self


class ExistingClusterConfig(Model):
    """A cluster that already exists (kind, k3d, on-prem, another cloud), reached through a kubeconfig."""

    kind: Literal["existing"]
    """Selects an existing cluster."""
    name: DnsLabel
    """Cluster name recorded in the metadata contract and in Git."""
    kubeconfig: KubeconfigSource
    """How Pulumi reaches the cluster's API server."""
    region: str | None = None
    """Cloud region of the cluster, when it has one."""


ClusterConfig = Annotated[ExistingClusterConfig | EksClusterConfig, Field(discriminator="kind")]
"""Cluster variants, chosen by `kind`: `existing` or `eks`."""
