"""GitOps agent variants, chosen by `gitops.agent`."""

from typing import Annotated, Literal

from pydantic import Field, SecretStr, StringConstraints, model_validator

from platform_kit import versions
from platform_kit.config.base import DnsLabel, Duration, EnvVarName, HttpUrl, Model, SourceRepoUrl

PublicUrl = HttpUrl
"""A public http(s) URL (webhook endpoint, OIDC issuer, Argo CD UI, chart repository)."""

Quantity = Annotated[str, StringConstraints(pattern=r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$")]
"""A Kubernetes resource quantity such as `250m` or `512Mi`."""


class WebhookConfig(Model):
    """Push webhooks from the Git host, so a merge reconciles within seconds instead of at the next poll."""

    provider: Literal["github", "gitlab", "generic"] = "github"
    """Dialect of the Git host's webhook: `github`, `gitlab`, or `generic` (any host that can POST)."""
    public_url: PublicUrl | None = None
    """Public base URL routed to the agent's webhook endpoint; without it no webhook URL is exported."""


FluxComponent = Literal[
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
    "image-reflector-controller",
    "image-automation-controller",
]


class FluxConfig(Model):
    """Flux, installed through the Flux Operator and a FluxInstance."""

    agent: Literal["flux"]
    """Selects Flux as the GitOps agent."""
    namespace: DnsLabel = "flux-system"
    """Namespace of the operator, the controllers and the root sync objects."""
    operator_chart_version: str = versions.FLUX_OPERATOR_CHART_VERSION
    """Flux Operator chart version for the first install; later upgrades go through Git."""
    version: str = versions.FLUX_DISTRIBUTION_VERSION
    """Flux distribution version or semver range, e.g. `2.7.x`."""
    components: tuple[FluxComponent, ...] = (
        "source-controller",
        "kustomize-controller",
        "helm-controller",
        "notification-controller",
    )
    """Flux controllers to run."""
    network_policy: bool = True
    """Restrict network access to the Flux namespace."""
    multitenant: bool = False
    """Flux multi-tenancy lockdown (FluxInstance `cluster.multitenant`: `--no-cross-namespace-refs=true`, default
    service account impersonation); fixed at bootstrap, since Pulumi creates the FluxInstance once."""
    sync_interval: Duration = "1m"
    """How often Flux polls the config repo."""
    reconcile_interval: Duration = "10m"
    """How often Flux re-applies the repo to correct drift."""
    ready_timeout_seconds: int = Field(default=600, ge=60, le=7200)
    """How long `pulumi up` waits for the first reconciliation to become Ready."""
    webhook: WebhookConfig = WebhookConfig()
    """Git push webhook (a notification-controller Receiver; needs `notification-controller`)."""

    @model_validator(mode="after")
    def _needs_core_controllers(self) -> "FluxConfig":
        missing = {"source-controller", "kustomize-controller"} - set(self.components)
        if missing:
            raise ValueError(f"components must include {', '.join(sorted(missing))} (the root sync needs them)")
        return self


class ResourceAmounts(Model):
    """CPU and memory amounts of a container (requests or limits)."""

    cpu: Quantity | None = None
    """CPU, e.g. `250m`; unset leaves it out."""
    memory: Quantity | None = None
    """Memory, e.g. `512Mi`; unset leaves it out."""


class ContainerResources(Model):
    """Requests and limits of one Argo CD component."""

    requests: ResourceAmounts = ResourceAmounts()
    """What the scheduler reserves."""
    limits: ResourceAmounts = ResourceAmounts()
    """Hard caps; a memory limit is recommended, a CPU limit usually is not."""


class SyncRetry(Model):
    """How Argo CD retries a failed sync: `limit` attempts with exponential backoff."""

    limit: int = Field(default=5, ge=0, le=100)
    """Attempts after a failed sync (0: no retry)."""
    backoff_duration: Duration = "10s"
    """Wait before the first retry."""
    backoff_factor: int = Field(default=2, ge=1, le=10)
    """Multiplier applied to the wait after each failed retry."""
    backoff_max_duration: Duration = "3m"
    """Longest wait between two retries."""


class OidcConfig(Model):
    """Single sign-on through an OIDC provider; the built-in `admin` account is disabled when set."""

    name: str = Field(default="SSO", min_length=1)
    """Label of the login button."""
    issuer: PublicUrl
    """OIDC issuer URL (its `/.well-known/openid-configuration` must be reachable from the cluster)."""
    client_id: str = Field(min_length=1)
    """OAuth client ID registered for Argo CD."""
    client_secret: SecretStr | None = None
    """OAuth client secret, from secret stack config (`pulumi config set --secret`); never enters Git."""
    client_secret_env: EnvVarName | None = None
    """Environment variable holding the client secret, read by `pulumi up` at start-up."""
    requested_scopes: tuple[str, ...] = ("openid", "profile", "email", "groups")
    """Scopes requested at login; `groups` feeds the RBAC group mappings."""
    admin_groups: tuple[str, ...] = ()
    """IdP groups mapped to `role:admin`; everyone else gets `defaultRole`."""

    @model_validator(mode="after")
    def _exactly_one_secret_source(self) -> "OidcConfig":
        if (self.client_secret is None) == (self.client_secret_env is None):
            raise ValueError("set exactly one of `clientSecret` or `clientSecretEnv`")
        return self


class ArgoCdConfig(Model):
    """Argo CD, installed from its Helm chart, then managing itself from the config repo."""

    agent: Literal["argocd"]
    """Selects Argo CD as the GitOps agent."""
    namespace: DnsLabel = "argocd"
    """Namespace of Argo CD, its Applications, AppProjects and the Secrets Pulumi writes."""
    chart_repository: PublicUrl = versions.ARGOCD_CHART_REPOSITORY
    """Helm repository of the `argo-cd` chart (a mirror, if you use one)."""
    chart_version: str = Field(default=versions.ARGOCD_CHART_VERSION, min_length=1)
    """Argo CD chart version for the first install; later upgrades go through Git."""
    url: PublicUrl | None = None
    """Public URL of the Argo CD UI and API (argocd-cm `url`); required with `sso`."""
    controller_replicas: int = Field(default=1, ge=1, le=10)
    """Application controller replicas (shards)."""
    controller_resources: ContainerResources = ContainerResources(
        requests=ResourceAmounts(cpu="250m", memory="512Mi"), limits=ResourceAmounts(memory="2Gi")
    )
    """Resources of the application controller."""
    repo_server_replicas: int = Field(default=1, ge=1, le=10)
    """Repo server replicas (manifest generation)."""
    repo_server_resources: ContainerResources = ContainerResources(
        requests=ResourceAmounts(cpu="100m", memory="256Mi"), limits=ResourceAmounts(memory="1Gi")
    )
    """Resources of the repo server."""
    server_replicas: int = Field(default=1, ge=1, le=10)
    """API server / UI replicas."""
    sync_interval: Duration = "3m"
    """How often Argo CD polls the config repo (argocd-cm `timeout.reconciliation`); webhooks make it instant."""
    retry: SyncRetry = SyncRetry()
    """Retry policy of the root Application and the Applications the seed defines."""
    ready_timeout_seconds: int = Field(default=600, ge=60, le=7200)
    """How long `pulumi up` waits for the install and for the root Application to become Healthy."""
    sso: OidcConfig | None = None
    """OIDC single sign-on; unset keeps the built-in `admin` account (password in `argocd-initial-admin-secret`)."""
    default_role: Literal["none", "readonly"] = "none"
    """Role of an authenticated user without a group mapping (`policy.default`): nothing, or read-only."""
    platform_namespaces: tuple[DnsLabel, ...] = ()
    """Namespaces the `platform` AppProject may deploy to besides Argo CD's own and `platform-system`."""
    platform_source_repos: tuple[SourceRepoUrl, ...] = ()
    """Repositories the `platform` AppProject may deploy from besides the config repo and the Argo CD chart
    (http(s)://, ssh:// or `user@host:path`; no credentials, query or fragment)."""
    webhook: WebhookConfig = WebhookConfig()
    """Git push webhook (Argo CD's `/api/webhook`, secured with a generated secret)."""

    @model_validator(mode="after")
    def _sso_needs_url(self) -> "ArgoCdConfig":
        if self.sso is not None and self.url is None:
            raise ValueError("`sso` needs `url` (the redirect URL registered with the OIDC provider derives from it)")
        return self


GitopsConfig = Annotated[FluxConfig | ArgoCdConfig, Field(discriminator="agent")]
"""GitOps agent variants, chosen by `agent`: `flux` or `argocd`."""
