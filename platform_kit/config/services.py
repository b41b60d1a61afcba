"""Platform services (secrets, observability, policy): each can be turned off per environment.

Cloud resources come from Pulumi; everything in-cluster comes from the seeded config
repo. Chart versions are pinned in `platform_kit.versions` and overridable here.
"""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, SecretStr, StringConstraints, field_validator, model_validator

from platform_kit import versions
from platform_kit.config.addons import AddonsConfig
from platform_kit.config.base import GO_DURATION_MAX_NS, EnvVarName, Model
from platform_kit.config.eks import check_aws_tags

RETENTION_UNITS_NS = {"h": 3600 * 10**9, "d": 86400 * 10**9, "w": 7 * 86400 * 10**9, "y": 365 * 86400 * 10**9}
"""Prometheus duration units (Prometheus' `model.Duration` is a Go time.Duration, so the same 292-year range)."""


def _positive_retention(value: str) -> str:
    length = int(value[:-1]) * RETENTION_UNITS_NS[value[-1]]
    if length <= 0:
        raise ValueError("must be longer than zero (Prometheus reads 0 as its 15d default)")
    if length > GO_DURATION_MAX_NS:
        raise ValueError("exceeds Prometheus' duration range (about 292 years)")
    return value


Retention = Annotated[str, StringConstraints(pattern=r"^[0-9]+(h|d|w|y)$"), AfterValidator(_positive_retention)]
"""A Prometheus retention such as `15d`, longer than zero."""

Quantity = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]*(Mi|Gi|Ti)$")]
"""A storage size such as `50Gi`, larger than zero."""


SecretsMode = Literal["pod-identity", "irsa", "static"]
"""How secret stores reach AWS: EKS Pod Identity, IRSA, or a static key pair in a Secret."""


class SecretsConfig(Model):
    """AWS Secrets Manager for the environment, read in-cluster by External Secrets Operator."""

    enabled: bool = True
    """Create the secrets manager side and seed External Secrets Operator."""
    region: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")] | None = None
    """Region of the secrets; defaults to the EKS cluster's region (required for other clusters)."""
    auth: Literal["workload-identity", "static"] | None = None
    """How ESO authenticates: EKS workload identity (default on EKS) or a Pulumi-created IAM user
    whose key sits in a Kubernetes Secret (default elsewhere)."""
    chart_version: str = versions.EXTERNAL_SECRETS_CHART_VERSION
    """external-secrets Helm chart version."""
    tags: dict[str, str] = Field(default_factory=dict)
    """Extra tags on the secrets' AWS resources when the cluster is not EKS (EKS uses `cluster.tags`); AWS tag
    rules as in `cluster.tags`."""

    @field_validator("tags")
    @classmethod
    def _check_tags(cls, tags: dict[str, str]) -> dict[str, str]:
        return check_aws_tags(tags)


class NotificationsConfig(Model):
    """Where the GitOps agent reports failed or stalled reconciliations."""

    kind: Literal["slack", "msteams", "generic"] = "slack"
    """Receiver type."""
    channel: str | None = None
    """Channel name (Slack)."""
    webhook_url: SecretStr | None = None
    """Incoming-webhook URL, from secret stack config; stored only in a Kubernetes Secret."""
    webhook_url_env: EnvVarName | None = None
    """Environment variable holding the webhook URL, read at start-up."""

    @model_validator(mode="after")
    def _exactly_one_source(self) -> "NotificationsConfig":
        if (self.webhook_url is None) == (self.webhook_url_env is None):
            raise ValueError("set exactly one of `webhookUrl` or `webhookUrlEnv`")
        return self


class ObservabilityConfig(Model):
    """kube-prometheus-stack: Prometheus, Alertmanager and Grafana, with GitOps dashboards and alerts."""

    enabled: bool = True
    """Seed kube-prometheus-stack, dashboards and alerts."""
    retention: Retention = "15d"
    """How long Prometheus keeps metrics."""
    storage_size: Quantity = "50Gi"
    """Prometheus volume size."""
    storage_class: str | None = None
    """Storage class of the Prometheus volume; the cluster default when unset."""
    replicas: int = Field(default=1, ge=1, le=5)
    """Prometheus replicas."""
    notifications: NotificationsConfig | None = None
    """The agent's own notifications; none when unset."""
    scrape_control_plane: bool = False
    """Scrape kube-controller-manager, kube-scheduler and etcd (self-managed control planes only; not on EKS)."""
    chart_version: str = versions.KUBE_PROMETHEUS_STACK_CHART_VERSION
    """kube-prometheus-stack Helm chart version."""


class PolicyConfig(Model):
    """Kyverno with Pod Security Standards policies."""

    enabled: bool = True
    """Seed Kyverno and the policies."""
    mode: Literal["Audit", "Enforce"] = "Audit"
    """Report violations (Audit) or block them (Enforce)."""
    level: Literal["baseline", "restricted"] = "restricted"
    """Pod Security Standards level enforced outside the platform's own namespaces."""
    chart_version: str = versions.KYVERNO_CHART_VERSION
    """kyverno Helm chart version."""


class ServicesConfig(Model):
    """Which platform services run in this environment, and how they are sized."""

    secrets: SecretsConfig = SecretsConfig(enabled=False)
    """Secrets manager (off unless configured)."""
    observability: ObservabilityConfig = ObservabilityConfig(enabled=False)
    """Prometheus/Grafana (off unless configured)."""
    policy: PolicyConfig = PolicyConfig(enabled=False)
    """Kyverno policies (off unless configured)."""
    addons: AddonsConfig = AddonsConfig()
    """Optional add-ons (load balancer controller, external-dns, cert-manager, metrics-server); all off unless
    listed."""
