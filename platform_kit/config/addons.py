"""Optional cluster add-ons (`services.addons`), each delivered through GitOps with its own identity.

Every add-on is off unless listed. The AWS ones (load balancer controller, external-dns,
cert-manager's Route 53 solver) need an EKS cluster: their IAM roles come from Pulumi
through workload identity and reach the charts through the metadata contract.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from platform_kit import versions
from platform_kit.config.base import Model

HostedZoneId = Annotated[str, StringConstraints(pattern=r"^Z[A-Z0-9]{1,31}$")]
"""A Route 53 hosted zone ID such as `Z0123456789ABCDEFGHIJ`."""

DomainName = Annotated[
    str,
    StringConstraints(
        max_length=253, pattern=r"^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
    ),
]
"""A lower-case DNS domain such as `dev.example.com`."""

ADDON_ACCOUNTS = {
    "load_balancer_controller": ("aws-load-balancer-controller", "aws-load-balancer-controller"),
    "external_dns": ("external-dns", "external-dns"),
    "cert_manager": ("cert-manager", "cert-manager"),
    "metrics_server": ("metrics-server", "metrics-server"),
}
"""Add-on (config field) -> (namespace, service account) its chart runs as; the AWS roles trust exactly these."""

Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
"""An e-mail address (ACME account contact)."""


class HostedZone(Model):
    """A Route 53 hosted zone the add-on may change, and the domain it serves."""

    id: HostedZoneId
    """Hosted zone ID; the IAM policy names exactly this zone."""
    domain: DomainName
    """The zone's domain; external-dns only manages names under it."""


def _zones_when_enabled(zones: tuple[HostedZone, ...], info: ValidationInfo) -> tuple[HostedZone, ...]:
    if info.data.get("enabled") and not zones:
        raise ValueError("list at least one hosted zone (the role is limited to the named zones)")
    ids = [zone.id for zone in zones]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate hosted zones: {', '.join(duplicates)}")
    return zones


class LoadBalancerControllerConfig(Model):
    """AWS Load Balancer Controller: ALBs for Ingresses, NLBs for Services of type LoadBalancer."""

    enabled: bool = True
    """Seed the controller and create its IAM role."""
    chart_version: str = versions.AWS_LOAD_BALANCER_CONTROLLER_CHART_VERSION
    """aws-load-balancer-controller Helm chart version."""


class ExternalDnsConfig(Model):
    """external-dns publishing Service/Ingress host names in Route 53, only in the listed zones."""

    enabled: bool = True
    """Seed external-dns and create its IAM role."""
    zones: tuple[HostedZone, ...] = Field(default=(), validate_default=True)
    """Hosted zones external-dns may change (at least one when enabled)."""
    policy: Literal["upsert-only", "sync"] = "upsert-only"
    """`upsert-only` never deletes records; `sync` also removes records it created when their source goes."""
    chart_version: str = versions.EXTERNAL_DNS_CHART_VERSION
    """external-dns Helm chart version."""

    _check_zones = field_validator("zones")(_zones_when_enabled)


class CertManagerConfig(Model):
    """cert-manager with Let's Encrypt ClusterIssuers solving DNS-01 in the listed Route 53 zones."""

    enabled: bool = True
    """Seed cert-manager, its ClusterIssuers and create its IAM role."""
    email: Email | None = Field(default=None, validate_default=True)
    """ACME account e-mail (expiry notices); required when enabled."""
    zones: tuple[HostedZone, ...] = Field(default=(), validate_default=True)
    """Hosted zones the DNS-01 solver may write `_acme-challenge` records in (at least one when enabled)."""
    issuers: tuple[Literal["staging", "production"], ...] = Field(default=("staging", "production"), min_length=1)
    """Let's Encrypt ClusterIssuers to create (`letsencrypt-staging`, `letsencrypt-production`)."""
    chart_version: str = versions.CERT_MANAGER_CHART_VERSION
    """cert-manager Helm chart version."""

    @field_validator("email")
    @classmethod
    def _email_when_enabled(cls, email: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("enabled") and email is None:
            raise ValueError("required: Let's Encrypt needs an account e-mail")
        return email

    _check_zones = field_validator("zones")(_zones_when_enabled)


class MetricsServerConfig(Model):
    """metrics-server: the resource metrics API (`kubectl top`, HorizontalPodAutoscalers)."""

    enabled: bool = True
    """Seed metrics-server."""
    chart_version: str = versions.METRICS_SERVER_CHART_VERSION
    """metrics-server Helm chart version."""


class AddonsConfig(Model):
    """Optional add-ons; each is off unless listed (`{}` turns one on with its defaults)."""

    load_balancer_controller: LoadBalancerControllerConfig = LoadBalancerControllerConfig(enabled=False)
    """AWS Load Balancer Controller (EKS only)."""
    external_dns: ExternalDnsConfig = ExternalDnsConfig(enabled=False)
    """external-dns on Route 53 (EKS only)."""
    cert_manager: CertManagerConfig = CertManagerConfig(enabled=False)
    """cert-manager with ACME DNS-01 on Route 53 (EKS only)."""
    metrics_server: MetricsServerConfig = MetricsServerConfig(enabled=False)
    """metrics-server (any cluster)."""

    @property
    def aws_addons(self) -> tuple[str, ...]:
        """The enabled add-ons that need an AWS identity (config field names)."""
        names = ("load_balancer_controller", "external_dns", "cert_manager")
        return tuple(name for name in names if getattr(self, name).enabled)
