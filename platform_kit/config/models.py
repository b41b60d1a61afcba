"""PlatformConfig: the whole stack config of one environment (namespace `platform`).

Field names are camelCase in YAML (Pulumi's convention) and snake_case in Python.
Every choice is a `Literal`, and every variant is chosen by a discriminator
(`cluster.kind`, `gitops.agent`, `repo.credentials.kind`), so a typo is an error.
The parts live in `base`, `cluster`, `gitops` and `repo`; this module re-exports them.
"""

from pydantic import ValidationError, ValidationInfo, field_validator, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import InitErrorDetails, PydanticCustomError

from platform_kit.config.base import (
    AGENT_READABLE_SCHEMES,
    LAYOUT_ENVIRONMENT_SIBLINGS,
    DnsLabel,
    Duration,
    Model,
    url_scheme,
)
from platform_kit.config.cluster import (
    ClusterConfig,
    ExistingClusterConfig,
    KubeconfigSource,
)
from platform_kit.config.eks import EksClusterConfig, WorkloadIdentity, label_value_problem
from platform_kit.config.fleet import FleetRole, FleetText, StandaloneRole, check_role, fleet_from_text
from platform_kit.config.gitops import FluxConfig, GitopsConfig
from platform_kit.config.library import LibraryConfig
from platform_kit.config.repo import (
    ConfigRepoConfig,
    Credentials,
    NoCredentials,
    SshCredentials,
    TokenCredentials,
)
from platform_kit.config.services import SecretsMode, ServicesConfig
from platform_kit.config.teams import TeamConfig, check_teams

__all__ = [
    "AGENT_READABLE_SCHEMES",
    "ClusterConfig",
    "ConfigRepoConfig",
    "Credentials",
    "DnsLabel",
    "Duration",
    "ExistingClusterConfig",
    "FluxConfig",
    "GitopsConfig",
    "KubeconfigSource",
    "Model",
    "NoCredentials",
    "PlatformConfig",
    "SshCredentials",
    "TeamConfig",
    "TokenCredentials",
    "url_scheme",
]


class PlatformConfig(Model):
    """Everything one environment's platform needs; read once at the edge and passed down."""

    environment: DnsLabel
    """Environment name (`local`, `dev`, `prod`, ...); names the repo directory and prefixes resources."""
    cluster: ClusterConfig
    """The Kubernetes cluster to bootstrap."""
    gitops: GitopsConfig
    """The GitOps agent that takes over after bootstrap."""
    repo: ConfigRepoConfig
    """The config repo the agent watches."""
    services: ServicesConfig = ServicesConfig()
    """Platform services (secrets, observability, policy); all off unless configured."""
    teams: tuple[TeamConfig, ...] = ()
    """Teams hosted in this environment; adding an entry adds only that team's files and cloud resources."""
    library: LibraryConfig = LibraryConfig()
    """Where the seeded CI workflow and team stacks install platform-kit from (default: this exact version)."""
    fleet: FleetRole = StandaloneRole()
    """Role in a fleet: `standalone` (default), `hub` or `spoke` (docs/fleets.md); or one string (`spoke`)."""

    @field_validator("fleet", mode="before", json_schema_input_type=FleetRole | FleetText)
    @classmethod
    def _fleet_text(cls, value: object) -> object:
        """`fleet: spoke` and the like (one string, as a `pulumi new` prompt answers) read as their mapping."""
        return fleet_from_text(value)

    @field_validator("environment")
    @classmethod
    def _not_a_layout_name(cls, environment: str) -> str:
        if environment in LAYOUT_ENVIRONMENT_SIBLINGS:
            raise ValueError(
                f"`{environment}` names a directory of the config repo's layout (`apps/base`, "
                "`infrastructure/configs`, ...), which an environment's directories would collide with"
            )
        return environment

    @field_validator("services")
    @classmethod
    def _services_fit_the_cluster(cls, services: ServicesConfig, info: ValidationInfo) -> ServicesConfig:
        cluster = info.data.get("cluster")
        if cluster is not None and cluster.kind == "eks" and services.observability.scrape_control_plane:
            raise ValueError("observability.scrapeControlPlane: EKS does not expose its control plane to scrape")
        if cluster is not None and cluster.kind != "eks" and services.addons.aws_addons:
            errors = [
                InitErrorDetails(
                    type=PydanticCustomError(
                        "addon", "needs an EKS cluster (its IAM role comes from workload identity)"
                    ),
                    loc=("addons", to_camel(name)),
                    input="enabled",
                )
                for name in services.addons.aws_addons
            ]
            raise ValidationError.from_exception_data("services", errors)
        capacity = getattr(cluster, "capacity", None)
        if capacity is not None and capacity.kind == "autoMode" and services.addons.load_balancer_controller.enabled:
            error = PydanticCustomError(
                "addon",
                "EKS Auto Mode's load balancing capability already runs the ALB/NLB controller (IngressClass `alb`); "
                "a second controller would fight it over the same Ingresses and Services",
            )
            raise ValidationError.from_exception_data(
                "services",
                [InitErrorDetails(type=error, loc=("addons", "loadBalancerController"), input="enabled")],
            )
        secrets = services.secrets
        if cluster is None or not secrets.enabled or cluster.kind == "eks":
            return services
        if secrets.region is None:
            raise ValueError("secrets.region is required when the cluster is not EKS")
        if secrets.auth == "workload-identity":
            raise ValueError("secrets.auth `workload-identity` needs an EKS cluster; use `static`")
        return services

    @field_validator("teams")
    @classmethod
    def _teams_are_distinct(cls, teams: tuple[TeamConfig, ...], info: ValidationInfo) -> tuple[TeamConfig, ...]:
        gitops = info.data.get("gitops")
        check_teams(teams, gitops.namespace if gitops is not None else None)
        services = info.data.get("services")
        if services is not None and services.observability.notifications is None:
            errors = [
                InitErrorDetails(
                    type=PydanticCustomError(
                        "team", "a team channel needs `services.observability.notifications` (nothing would post to it)"
                    ),
                    loc=(index, "channel"),
                    input=team.channel,
                )
                for index, team in enumerate(teams)
                if team.channel is not None
            ]
            if errors:
                raise ValidationError.from_exception_data("teams", errors)
        return teams

    @model_validator(mode="after")
    def _argocd_labels_are_valid(self) -> "PlatformConfig":
        """Argo CD's cluster Secret carries the cluster name and region as labels (metadata LABEL_FIELDS)."""
        if self.gitops.agent != "argocd":
            return self
        errors = [
            InitErrorDetails(
                type=PydanticCustomError("label", f"Argo CD labels its cluster Secret with it: {problem}"),
                loc=("cluster", self.cluster.kind, field),  # the variant tag, as pydantic reports it
                input=value,
            )
            for field, value in (("name", self.cluster.name), ("region", self.cluster.region))
            if value is not None and (problem := label_value_problem(value))
        ]
        if errors:
            raise ValidationError.from_exception_data("PlatformConfig", errors)
        return self

    @model_validator(mode="after")
    def _fleet_role_fits(self) -> "PlatformConfig":
        """The fleet role against the agent and the cluster (`platform_kit.config.fleet.check_role`)."""
        errors = [
            InitErrorDetails(type=PydanticCustomError("fleet", message), loc=loc, input=None)
            for loc, message in check_role(self)
        ]
        if errors:
            raise ValidationError.from_exception_data("PlatformConfig", errors)
        return self

    @property
    def secrets_region(self) -> str | None:
        """Region of the secrets manager: configured, else the EKS cluster's."""
        return self.services.secrets.region or self.cluster.region

    @property
    def secrets_auth(self) -> str:
        """How ESO authenticates: workload identity on EKS unless configured otherwise, else static."""
        return self.services.secrets.auth or ("workload-identity" if self.cluster.kind == "eks" else "static")

    @property
    def workload_identity(self) -> WorkloadIdentity | None:
        """How pods assume AWS roles on this cluster (EKS `cluster.workloadIdentity`); None on existing clusters."""
        return self.cluster.workload_identity if isinstance(self.cluster, EksClusterConfig) else None

    @property
    def secrets_mode(self) -> SecretsMode | None:
        """How secret stores reach AWS here (`static`, `irsa`, `pod-identity`); None when secrets are off."""
        if not self.services.secrets.enabled:
            return None
        if self.secrets_auth == "static":
            return "static"
        return "irsa" if self.workload_identity == "irsa" else "pod-identity"

    @property
    def is_spoke(self) -> bool:
        """Whether this stack is a fleet spoke (one of possibly several clusters of its environment)."""
        return self.fleet.role == "spoke"

    @property
    def secrets_scope(self) -> str:
        """Start of this stack's secrets-manager names: `<env>`, or `<env>/<cluster>` on a spoke (docs/fleets.md)."""
        return f"{self.environment}/{self.cluster.name}" if self.is_spoke else self.environment

    @property
    def secrets_prefix(self) -> str:
        """Name prefix of the platform's own secrets in the secrets manager (`<secrets scope>/platform/`)."""
        return f"{self.secrets_scope}/platform/"

    @property
    def secrets_key_alias(self) -> str:
        """KMS alias (without `alias/`) of the key encrypting this stack's secrets."""
        return f"{self.secrets_scope}/platform-secrets"

    @property
    def seed_name(self) -> str:
        """Names this stack's seed record and proposal branches: `<env>`, or `<env>.<cluster>` on a spoke."""
        return f"{self.environment}.{self.cluster.name}" if self.is_spoke else self.environment

    @property
    def environment_path(self) -> str:
        """Directory of this environment in the config repo."""
        if self.repo.path:
            return self.repo.path
        if self.is_spoke:  # spokes of one environment share its overlays, not its cluster directory
            return f"clusters/{self.environment}/{self.cluster.name}"
        return f"clusters/{self.environment}"
