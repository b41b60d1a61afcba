"""The `eks` cluster variant: network, control plane, nodes, add-ons and workload identity.

Defaults are the secure ones; an environment loosens them explicitly (see stacks/).
Every rule AWS would reject late (name lengths, CIDR overlap, scaling bounds) is
checked here, before any resource is registered.
"""

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationInfo, field_validator, model_validator
from pydantic.alias_generators import to_camel

from platform_kit import versions
from platform_kit.config.base import DnsLabel, Model
from platform_kit.config.capacity import Capacity, NodeGroupsCapacity

AwsRegion = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$")]
"""An AWS region such as `eu-west-1`."""

KubernetesVersion = Annotated[str, StringConstraints(pattern=r"^1\.\d{2}$")]
"""An EKS Kubernetes minor version such as `1.33`."""

IamPrincipalArn = Annotated[
    str, StringConstraints(pattern=r"^arn:aws(-[a-z]+)*:(iam|sts)::\d{12}:(role|user|assumed-role)/[\w+=,.@/-]+$")
]
"""ARN of an IAM role or user."""

WorkloadIdentity = Literal["pod-identity", "irsa"]
"""How pods assume AWS roles on EKS: EKS Pod Identity or IAM Roles for Service Accounts."""

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


PUBLIC_CIDRS_MAX = 40
"""EKS accepts at most 40 `publicAccessCidrs` per cluster (EKS service quotas)."""
PUBLIC_COVERAGE_MAX_PREFIX = {4: 8, 6: 32}
"""The public endpoint may be opened to at most one /8 worth of IPv4 (or /32 of IPv6) addresses in total."""

SERVICE_CIDR_RANGES = tuple(ipaddress.ip_network(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
"""Ranges EKS takes `kubernetesNetworkConfig.serviceIpv4Cidr` from (AWS EKS API reference)."""
SERVICE_CIDR_PREFIXES = (12, 24)
"""Prefix lengths EKS accepts for the service CIDR: between /12 and /24."""

NODE_LABELS_MAX = 50
"""Most Kubernetes labels or taints EKS accepts on a managed node group (EKS API: `labels`, `taints`)."""
KUBELET_LABEL_NAMESPACES = ("kubelet.kubernetes.io", "node.kubernetes.io")
"""`kubernetes.io`/`k8s.io` label namespaces a kubelet may set on its own node (NodeRestriction)."""
KUBELET_LABELS = frozenset(
    {
        "beta.kubernetes.io/arch",
        "beta.kubernetes.io/instance-type",
        "beta.kubernetes.io/os",
        "failure-domain.beta.kubernetes.io/region",
        "failure-domain.beta.kubernetes.io/zone",
        "kubernetes.io/arch",
        "kubernetes.io/hostname",
        "kubernetes.io/os",
        "node.kubernetes.io/instance-type",
        "topology.kubernetes.io/region",
        "topology.kubernetes.io/zone",
    }
)
"""Other `kubernetes.io`/`k8s.io` labels a kubelet may set (k8s.io/kubelet `KubeletLabels`); others stop it starting."""

_LABEL_NAME = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

AWS_TAGS_MAX = 45
"""User tags per resource: AWS allows 50, the platform adds up to 5 of its own (Name, cluster and subnet tags)."""
_AWS_TAG_TEXT = re.compile(r"^[\w .:/=+\-@]*$", re.UNICODE)


def label_key_problem(key: str) -> str | None:
    """Why `key` is not a Kubernetes label key (`[prefix/]name`), or None (apimachinery IsQualifiedName)."""
    prefix, _, name = key.rpartition("/")
    if not name or len(name) > 63 or not _LABEL_NAME.match(name):
        return f"label key `{key}`: the name must be 1-63 alphanumerics, `-`, `_` or `.`, alphanumeric at both ends"
    if "/" in key and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.match(prefix)):
        return f"label key `{key}`: the prefix must be a lower-case DNS subdomain of at most 253 characters"
    return None


def label_value_problem(value: str) -> str | None:
    """Why `value` is not a Kubernetes label value, or None (apimachinery IsValidLabelValue)."""
    if len(value) > 63 or (value and not _LABEL_NAME.match(value)):
        return "must be at most 63 alphanumerics, `-`, `_` or `.`, starting and ending alphanumeric"
    return None


def _kubelet_may_set(key: str) -> bool:
    prefix = key.rpartition("/")[0]
    reserved = any(prefix == domain or prefix.endswith(f".{domain}") for domain in ("kubernetes.io", "k8s.io"))
    if not reserved or key in KUBELET_LABELS:
        return True
    return any(prefix == ns or prefix.endswith(f".{ns}") for ns in KUBELET_LABEL_NAMESPACES)


def check_aws_tags(tags: dict[str, str]) -> dict[str, str]:
    """AWS tag rules: at most AWS_TAGS_MAX tags, keys 1-128 and values 0-256 characters, no `aws:` prefix."""
    if len(tags) > AWS_TAGS_MAX:
        raise ValueError(f"at most {AWS_TAGS_MAX} tags (AWS allows 50 per resource; the platform adds its own)")
    for key, value in tags.items():
        if not 1 <= len(key) <= 128 or not _AWS_TAG_TEXT.match(key):
            raise ValueError(f"tag key `{key}`: 1-128 letters, digits, spaces or `_ . : / = + - @`")
        if key.lower().startswith("aws:"):
            raise ValueError(f"tag key `{key}`: the `aws:` prefix is reserved for AWS")
        if len(value) > 256 or not _AWS_TAG_TEXT.match(value):
            raise ValueError(f"tag value of `{key}`: at most 256 letters, digits, spaces or `_ . : / = + - @`")
    return tags


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
    def _zones_match_count(self) -> "NewVpc":
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
        if len(checked) > PUBLIC_CIDRS_MAX:
            raise ValueError(f"EKS accepts at most {PUBLIC_CIDRS_MAX} CIDR blocks")
        for version, limit in PUBLIC_COVERAGE_MAX_PREFIX.items():
            networks = [n for n in map(ipaddress.ip_network, checked) if n.version == version]
            union = list(ipaddress.collapse_addresses(networks))  # type: ignore[type-var]
            if any(n.prefixlen == 0 for n in union):
                everything = "0.0.0.0/0" if version == 4 else "::/0"
                raise ValueError(f"together the blocks cover {everything}; list the networks that need access")
            covered = sum(n.num_addresses for n in union)
            if covered > 2 ** ((32 if version == 4 else 128) - limit):
                raise ValueError(
                    f"together the IPv{version} blocks cover more than a /{limit} ({covered} addresses); "
                    "list the networks that need access"
                )
        return checked

    @model_validator(mode="after")
    def _public_needs_cidrs(self) -> "EndpointAccess":
        if self.public and not self.public_cidrs:
            raise ValueError("publicCidrs must list at least one network when the endpoint is public")
        if not self.public and self.public_cidrs:
            raise ValueError("publicCidrs is set but the endpoint is not public")
        return self


class Taint(Model):
    """A Kubernetes taint applied to every node of a group."""

    key: str = Field(min_length=1, max_length=63)
    """Taint key (a Kubernetes label key; EKS allows 63 characters in all)."""
    value: str | None = Field(default=None, max_length=63)
    """Taint value (a Kubernetes label value)."""
    effect: Literal["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"]
    """What the taint does to pods that do not tolerate it."""

    @field_validator("key")
    @classmethod
    def _key_is_label_key(cls, key: str) -> str:
        if problem := label_key_problem(key):
            raise ValueError(problem)
        return key

    @field_validator("value")
    @classmethod
    def _value_is_label_value(cls, value: str | None) -> str | None:
        if value is not None and (problem := label_value_problem(value)):
            raise ValueError(f"taint value: {problem}")
        return value


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
    """Kubernetes labels on every node (at most 50; keys of up to 63 characters in all, non-empty values; no
    `kubernetes.io`/`k8s.io` keys the kubelet may not set)."""
    taints: tuple[Taint, ...] = Field(default=(), max_length=NODE_LABELS_MAX)
    """Kubernetes taints on every node (at most 50)."""

    @field_validator("labels")
    @classmethod
    def _check_labels(cls, labels: dict[str, str]) -> dict[str, str]:
        if len(labels) > NODE_LABELS_MAX:
            raise ValueError(f"EKS accepts at most {NODE_LABELS_MAX} labels per node group")
        for key, value in labels.items():
            if problem := label_key_problem(key):
                raise ValueError(problem)
            if problem := label_value_problem(value):
                raise ValueError(f"value of label `{key}`: {problem}")
            if len(key) > 63 or not value:
                raise ValueError(f"label `{key}`: EKS needs keys of 1-63 characters in all and a non-empty value")
            if not _kubelet_may_set(key):
                raise ValueError(
                    f"label key `{key}`: the kubelet may not set `kubernetes.io`/`k8s.io` labels outside "
                    f"{', '.join(KUBELET_LABEL_NAMESPACES)}, so the nodes would never join"
                )
        return labels

    @field_validator("instance_types")
    @classmethod
    def _non_empty_types(cls, types: tuple[str, ...]) -> tuple[str, ...]:
        if any(not t.strip() for t in types):
            raise ValueError("instance types must not be empty strings")
        return types

    @model_validator(mode="after")
    def _sizes_ordered(self) -> "NodeGroupConfig":
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
    """Kubernetes service CIDR: IPv4 inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, /12 to /24, not
    overlapping the VPC."""
    endpoint: EndpointAccess = EndpointAccess()
    """API server access; private only by default."""
    admin_principal_arns: tuple[IamPrincipalArn, ...] = Field(min_length=1)
    """IAM roles/users granted cluster admin through access entries (the creator gets no implicit admin)."""
    log_types: tuple[LogType, ...] = ("api", "audit", "authenticator", "controllerManager", "scheduler")
    """Control-plane log types sent to CloudWatch."""
    log_retention_days: Literal[7, 14, 30, 60, 90, 180, 365, 731, 1827, 3653] = 90
    """Retention of the control-plane log group."""
    capacity: Capacity = NodeGroupsCapacity(kind="nodeGroups")
    """Where the nodes come from: managed node groups (default), Karpenter or EKS Auto Mode."""
    node_groups: tuple[NodeGroupConfig, ...] = Field(default=(), validate_default=True)
    """Managed node groups: at least one (so coredns, and Karpenter's controller, have somewhere to run);
    none with Auto Mode."""
    addons: AddonVersions = AddonVersions()
    """Pinned EKS add-on versions (none with Auto Mode: it runs these components itself)."""
    workload_identity: WorkloadIdentity = "pod-identity"
    """How pods get IAM roles: EKS Pod Identity (default) or IRSA (OIDC provider)."""
    deletion_protection: bool = False
    """Refuse to delete the cluster until this is turned off (EKS deletion protection)."""
    tags: dict[str, str] = Field(default_factory=dict)
    """Tags on every AWS resource (through the provider's default tags): at most 45, keys 1-128 characters
    not starting with `aws:`, values up to 256."""

    @field_validator("tags")
    @classmethod
    def _check_tags(cls, tags: dict[str, str]) -> dict[str, str]:
        return check_aws_tags(tags)

    @field_validator("service_cidr")
    @classmethod
    def _check_service_cidr(cls, value: str, info: ValidationInfo) -> str:
        value = _cidr(value)
        block = ipaddress.ip_network(value)
        if block.version != 4 or not any(block.subnet_of(r) for r in SERVICE_CIDR_RANGES):  # type: ignore[arg-type]
            raise ValueError("EKS needs an IPv4 block inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")
        low, high = SERVICE_CIDR_PREFIXES
        if not low <= block.prefixlen <= high:
            raise ValueError(f"EKS needs a prefix between /{low} and /{high} (got /{block.prefixlen})")
        network = info.data.get("network")
        if isinstance(network, NewVpc) and _overlaps([network.cidr, value]):
            raise ValueError(f"{value} overlaps the VPC CIDR {network.cidr}")
        return value

    @field_validator("node_groups")
    @classmethod
    def _check_node_groups(cls, groups: tuple[NodeGroupConfig, ...], info: ValidationInfo) -> tuple:
        capacity = info.data.get("capacity")
        if groups and capacity is not None and capacity.kind == "autoMode":
            raise ValueError(
                "must be empty with `capacity.kind: autoMode`: Auto Mode runs every node, and managed node groups "
                "would need the vpc-cni, kube-proxy and pod identity add-ons an Auto Mode cluster does not get"
            )
        if not groups and capacity is not None and capacity.kind != "autoMode":
            role = "the system group Karpenter runs on" if capacity.kind == "karpenter" else "somewhere for coredns"
            raise ValueError(f"list at least 1 node group ({role}); only `capacity.kind: autoMode` needs none")
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

    @field_validator("addons")
    @classmethod
    def _no_addons_with_auto_mode(cls, addons: AddonVersions, info: ValidationInfo) -> AddonVersions:
        capacity = info.data.get("capacity")
        pinned = [to_camel(name) for name, version in addons.model_dump().items() if version is not None]
        if pinned and capacity is not None and capacity.kind == "autoMode":
            raise ValueError(
                f"{', '.join(pinned)}: EKS Auto Mode runs the VPC CNI, kube-proxy, CoreDNS and the Pod Identity agent "
                "itself, so no EKS add-on is installed to pin"
            )
        return addons
