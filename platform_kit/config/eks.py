"""The `eks` cluster variant: network, control plane, nodes, add-ons and workload identity.

Defaults are the secure ones; an environment loosens them explicitly (see stacks/).
Every rule AWS would reject late (name lengths, CIDR overlap, scaling bounds) is
checked here, before any resource is registered.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator

from platform_kit import versions
from platform_kit.config.base import DnsLabel, Model

AwsRegion = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")]
"""An AWS region such as `eu-west-1`."""

KubernetesVersion = Annotated[str, StringConstraints(pattern=r"^1\.\d{2}$")]
"""An EKS Kubernetes minor version such as `1.33`."""

IamPrincipalArn = Annotated[
    str, StringConstraints(pattern=r"^arn:aws(-[a-z]+)*:(iam|sts)::\d{12}:(role|user|assumed-role)/[\w+=,.@/-]+$")
]
"""ARN of an IAM role or user."""

LogType = Literal["api", "audit", "authenticator", "controllerManager", "scheduler"]

CLUSTER_NAME_MAX = 100
"""EKS cluster names are at most 100 characters."""
NODE_GROUP_NAME_MAX = 63
"""EKS node group names are at most 63 characters (`<cluster>-<group>` here)."""
IAM_ROLE_PREFIX_MAX = 38
"""IAM `name_prefix` limit (64 minus the 26 characters Pulumi appends)."""


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.ip_network(value, strict=True))
    except ValueError as error:
        raise ValueError(f"not a valid CIDR block: {error}") from None


def _overlaps(cidrs: list[str]) -> list[tuple[str, str]]:
    networks = [ipaddress.ip_network(c) for c in cidrs]
    return [(str(a), str(b)) for i, a in enumerate(networks) for b in networks[i + 1 :] if a.overlaps(b)]


class NewVpc(Model):
    """Create a VPC: public and private subnets in each zone, NAT gateways, load-balancer subnet tags."""

    kind: Literal["new"]
    """Selects a new VPC."""
    cidr: str = "10.0.0.0/16"
    """VPC CIDR block (IPv4, /16 to /20); split evenly into one public and one private subnet per zone."""
    zone_count: Literal[2, 3] = 3
    """Number of availability zones (3 for production resilience, 2 allowed)."""
    zones: tuple[str, ...] | None = None
    """Explicit zone names; by default the region's first available zones."""
    nat_gateways: Literal["per-zone", "single"] = "per-zone"
    """One NAT gateway per zone (survives a zone outage) or a single one (cheaper, for dev)."""

    @field_validator("cidr")
    @classmethod
    def _check_cidr(cls, value: str) -> str:
        value = _cidr(value)
        prefix = ipaddress.ip_network(value).prefixlen
        if ipaddress.ip_network(value).version != 4 or not 16 <= prefix <= 20:
            raise ValueError("must be an IPv4 block between /16 and /20")
        return value

    @model_validator(mode="after")
    def _zones_match_count(self) -> NewVpc:
        if self.zones is not None and len(self.zones) != self.zone_count:
            raise ValueError(f"zones lists {len(self.zones)} zones but zoneCount is {self.zone_count}")
        return self


class ExistingVpc(Model):
    """Bring your own VPC: subnets must already carry the load-balancer role tags."""

    kind: Literal["existing"]
    """Selects an existing VPC."""
    vpc_id: str = Field(pattern=r"^vpc-[0-9a-f]{8,17}$")
    """ID of the VPC."""
    private_subnet_ids: tuple[Annotated[str, StringConstraints(pattern=r"^subnet-[0-9a-f]{8,17}$")], ...] = Field(
        min_length=2, max_length=3
    )
    """Private subnets (2 or 3, in distinct zones) for the control plane and the nodes."""
    public_subnet_ids: tuple[Annotated[str, StringConstraints(pattern=r"^subnet-[0-9a-f]{8,17}$")], ...] = ()
    """Public subnets for internet-facing load balancers (optional)."""


Network = Annotated[NewVpc | ExistingVpc, Field(discriminator="kind")]
"""Where the cluster runs: a new VPC or an existing one."""


class EndpointAccess(Model):
    """Who can reach the Kubernetes API server."""

    public: bool = False
    """Expose the API endpoint on the internet (limited to `publicCidrs`)."""
    public_cidrs: tuple[str, ...] = ()
    """CIDR blocks allowed to reach the public endpoint; required when `public`, never 0.0.0.0/0."""

    @field_validator("public_cidrs")
    @classmethod
    def _check_cidrs(cls, cidrs: tuple[str, ...]) -> tuple[str, ...]:
        checked = tuple(_cidr(c) for c in cidrs)
        if any(ipaddress.ip_network(c).prefixlen == 0 for c in checked):
            raise ValueError("must not contain 0.0.0.0/0 or ::/0; list the networks that need access")
        return checked

    @model_validator(mode="after")
    def _public_needs_cidrs(self) -> EndpointAccess:
        if self.public and not self.public_cidrs:
            raise ValueError("publicCidrs must list at least one network when the endpoint is public")
        if not self.public and self.public_cidrs:
            raise ValueError("publicCidrs is set but the endpoint is not public")
        return self


class Taint(Model):
    """A Kubernetes taint applied to every node of a group."""

    key: str = Field(min_length=1, max_length=63)
    """Taint key."""
    value: str | None = Field(default=None, max_length=63)
    """Taint value."""
    effect: Literal["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]
    """What the taint does to pods that do not tolerate it."""


class NodeGroupConfig(Model):
    """A managed node group in the private subnets."""

    name: DnsLabel
    """Group name; the AWS name is `<cluster>-<name>`."""
    instance_types: tuple[str, ...] = Field(min_length=1)
    """EC2 instance types; several types improve spot availability."""
    capacity_type: Literal["ON_DEMAND", "SPOT"] = "ON_DEMAND"
    """On-demand or spot capacity."""
    min_size: int = Field(default=2, ge=0, le=1000)
    """Minimum number of nodes."""
    desired_size: int = Field(default=2, ge=0, le=1000)
    """Initial number of nodes (autoscalers change it later)."""
    max_size: int = Field(default=4, ge=1, le=1000)
    """Maximum number of nodes."""
    disk_size_gib: int = Field(default=50, ge=20, le=16384)
    """Root volume size (gp3, encrypted)."""
    ami_type: str = versions.EKS_NODE_AMI_TYPE
    """EKS AMI type, e.g. `AL2023_x86_64_STANDARD` or `BOTTLEROCKET_x86_64`."""
    labels: dict[str, str] = Field(default_factory=dict)
    """Kubernetes labels on every node."""
    taints: tuple[Taint, ...] = ()
    """Kubernetes taints on every node."""

    @field_validator("instance_types")
    @classmethod
    def _non_empty_types(cls, types: tuple[str, ...]) -> tuple[str, ...]:
        if any(not t.strip() for t in types):
            raise ValueError("instance types must not be empty strings")
        return types

    @model_validator(mode="after")
    def _sizes_ordered(self) -> NodeGroupConfig:
        if not self.min_size <= self.desired_size <= self.max_size:
            raise ValueError(
                f"need minSize <= desiredSize <= maxSize (got {self.min_size}, {self.desired_size}, {self.max_size})"
            )
        return self


class AddonVersions(Model):
    """Versions of the EKS add-ons; unset means EKS's default for the cluster version at creation."""

    vpc_cni: str | None = None
    """vpc-cni version, e.g. `v1.19.5-eksbuild.1`."""
    kube_proxy: str | None = None
    """kube-proxy version."""
    coredns: str | None = None
    """coredns version."""
    pod_identity_agent: str | None = None
    """eks-pod-identity-agent version."""


class EksClusterConfig(Model):
    """A new AWS EKS cluster with secure defaults."""

    kind: Literal["eks"]
    """Selects AWS EKS."""
    name: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_-]*$", max_length=CLUSTER_NAME_MAX)]
    """EKS cluster name (at most 100 characters)."""
    region: AwsRegion
    """AWS region."""
    version: KubernetesVersion = versions.EKS_KUBERNETES_VERSION
    """Kubernetes minor version of the control plane and nodes."""
    network: Network = NewVpc(kind="new")
    """New VPC (default) or bring-your-own."""
    service_cidr: str = "172.20.0.0/16"
    """Kubernetes service CIDR; must not overlap the VPC."""
    endpoint: EndpointAccess = EndpointAccess()
    """API server access; private only by default."""
    admin_principal_arns: tuple[IamPrincipalArn, ...] = Field(min_length=1)
    """IAM roles/users granted cluster admin through access entries (the creator gets no implicit admin)."""
    log_types: tuple[LogType, ...] = ("api", "audit", "authenticator", "controllerManager", "scheduler")
    """Control-plane log types sent to CloudWatch."""
    log_retention_days: Literal[7, 14, 30, 60, 90, 180, 365, 731, 1827, 3653] = 90
    """Retention of the control-plane log group."""
    node_groups: tuple[NodeGroupConfig, ...] = Field(min_length=1)
    """Managed node groups (at least one, so coredns has somewhere to run)."""
    addons: AddonVersions = AddonVersions()
    """Pinned EKS add-on versions."""
    workload_identity: Literal["pod-identity", "irsa"] = "pod-identity"
    """How pods get IAM roles: EKS Pod Identity (default) or IRSA (OIDC provider)."""
    deletion_protection: bool = False
    """Refuse to delete the cluster until this is turned off (EKS deletion protection)."""
    tags: dict[str, str] = Field(default_factory=dict)
    """Tags on every AWS resource (through the provider's default tags)."""

    @field_validator("service_cidr")
    @classmethod
    def _check_service_cidr(cls, value: str, info: ValidationInfo) -> str:
        value = _cidr(value)
        network = info.data.get("network")
        if isinstance(network, NewVpc) and _overlaps([network.cidr, value]):
            raise ValueError(f"{value} overlaps the VPC CIDR {network.cidr}")
        return value

    @field_validator("node_groups")
    @classmethod
    def _check_node_groups(cls, groups: tuple[NodeGroupConfig, ...], info: ValidationInfo) -> tuple:
        names = [group.name for group in groups]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate node group names: {', '.join(duplicates)}")
        cluster = info.data.get("name", "")
        too_long = [n for n in names if len(f"{cluster}-{n}") > NODE_GROUP_NAME_MAX]
        if too_long:
            raise ValueError(
                f"`{cluster}-<name>` exceeds the EKS limit of {NODE_GROUP_NAME_MAX} characters "
                f"for: {', '.join(too_long)}"
            )
        return groups
