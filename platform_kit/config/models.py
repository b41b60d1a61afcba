"""Frozen pydantic models of one environment's stack config (namespace `platform`).

Field names are camelCase in YAML (Pulumi's convention) and snake_case in Python.
Every choice is a `Literal`, and every variant is chosen by a discriminator
(`cluster.kind`, `gitops.agent`, `repo.credentials.kind`), so a typo is an error.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from platform_kit import versions

DnsLabel = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", max_length=40),
]
"""A lower-case DNS label, short enough to prefix Kubernetes and cloud names."""

Duration = Annotated[str, StringConstraints(pattern=r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$")]
"""A Go duration such as `1m` or `1h30m`, as Flux and Argo CD expect."""

def _no_dot_segments(path: str) -> str:
    if any(segment in (".", "..") for segment in path.split("/")):
        raise ValueError("must not contain `.` or `..` segments")
    return path


RepoPath = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$"),
    AfterValidator(_no_dot_segments),
]
"""A relative POSIX path inside the config repo, without `..` or a leading slash."""

EnvVarName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
"""The name of an environment variable."""

AGENT_READABLE_SCHEMES = ("http", "https", "ssh")
"""URL schemes an in-cluster GitOps agent can clone from."""


class Model(BaseModel):
    """Base of every config model: frozen, strict about unknown keys, camelCase aliases."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        use_attribute_docstrings=True,
        hide_input_in_errors=True,
    )


# --- cluster -----------------------------------------------------------------


class KubeconfigSource(Model):
    """Where the kubeconfig of an existing cluster comes from: a file path or the content itself."""

    path: str | None = None
    """Path of a kubeconfig file; the Kubernetes provider reads it at run time, so no credential enters state."""
    content: SecretStr | None = None
    """Whole kubeconfig document (use `pulumi config set --secret`); stored only as a Pulumi secret."""
    context: str | None = None
    """Kubeconfig context to use; the file's current context when unset."""

    @model_validator(mode="after")
    def _exactly_one_source(self) -> KubeconfigSource:
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


ClusterConfig = Annotated[Union[ExistingClusterConfig], Field(discriminator="kind")]
"""Cluster variants, chosen by `kind` (`existing`; `eks` slots in here)."""


# --- GitOps agent ------------------------------------------------------------

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
    sync_interval: Duration = "1m"
    """How often Flux polls the config repo."""
    reconcile_interval: Duration = "10m"
    """How often Flux re-applies the repo to correct drift."""
    ready_timeout_seconds: int = Field(default=600, ge=60, le=7200)
    """How long `pulumi up` waits for the first reconciliation to become Ready."""

    @model_validator(mode="after")
    def _needs_core_controllers(self) -> FluxConfig:
        missing = {"source-controller", "kustomize-controller"} - set(self.components)
        if missing:
            raise ValueError(f"components must include {', '.join(sorted(missing))} (the root sync needs them)")
        return self


GitopsConfig = Annotated[Union[FluxConfig], Field(discriminator="agent")]
"""GitOps agent variants, chosen by `agent` (`flux`; `argocd` slots in here)."""


# --- config repo -------------------------------------------------------------


class NoCredentials(Model):
    """The repo is readable and writable without credentials (local paths, test servers)."""

    kind: Literal["none"]
    """Selects no credentials."""


class TokenCredentials(Model):
    """HTTPS basic auth with a username and a token (GitHub, GitLab, Gitea, ...)."""

    kind: Literal["token"]
    """Selects token credentials."""
    username: str = "git"
    """HTTPS user name sent with the token."""
    token: SecretStr | None = None
    """The token, from secret stack config (`pulumi config set --secret`)."""
    token_env: EnvVarName | None = None
    """Environment variable holding the token, read by `pulumi up` and the CLI at start-up."""

    @model_validator(mode="after")
    def _exactly_one_source(self) -> TokenCredentials:
        if (self.token is None) == (self.token_env is None):
            raise ValueError("set exactly one of `token` or `tokenEnv`")
        return self


class SshCredentials(Model):
    """SSH with a private key and a pinned host key."""

    kind: Literal["ssh"]
    """Selects SSH credentials."""
    private_key: SecretStr | None = None
    """OpenSSH private key, from secret stack config."""
    private_key_env: EnvVarName | None = None
    """Environment variable holding the private key, read at start-up."""
    known_hosts: str = Field(min_length=1)
    """Pinned `known_hosts` line(s) of the Git host; a mismatch fails the connection."""

    @model_validator(mode="after")
    def _exactly_one_source(self) -> SshCredentials:
        if (self.private_key is None) == (self.private_key_env is None):
            raise ValueError("set exactly one of `privateKey` or `privateKeyEnv`")
        return self


Credentials = Annotated[
    Union[NoCredentials, TokenCredentials, SshCredentials], Field(discriminator="kind")
]
"""How the seed and the agent authenticate to the config repo."""

def url_scheme(url: str) -> str:
    """The URL's scheme, `file` for a local path."""
    if "://" not in url:
        return "file"
    return urlsplit(url).scheme.lower()


class ConfigRepoConfig(Model):
    """The Git repository the agent watches and the seed writes to."""

    url: str = Field(min_length=1)
    """Where the seed publishes: a local path, `file://`, `git://`, `http(s)://` or `ssh://` URL."""
    agent_url: str | None = Field(default=None, validate_default=True)
    """URL the in-cluster agent clones (http(s):// or ssh://); defaults to `url`."""
    branch: str = Field(default="main", pattern=r"^[A-Za-z0-9._/-]+$")
    """Branch the agent follows and the seed commits to."""
    path: RepoPath | None = None
    """Directory of this environment in the repo; defaults to `clusters/<environment>`."""
    credentials: Credentials = NoCredentials(kind="none")
    """Credentials for the seed and the agent; secrets never enter the repo."""

    @field_validator("url")
    @classmethod
    def _check_url(cls, url: str) -> str:
        scheme = url_scheme(url)
        if scheme not in ("file", "git", "http", "https", "ssh"):
            raise ValueError(f"unsupported scheme `{scheme}` (use a path, file, git, http, https or ssh)")
        if urlsplit(url).password:
            raise ValueError("must not embed a password or token; use `credentials`")
        return url

    @field_validator("agent_url")
    @classmethod
    def _agent_can_clone(cls, agent_url: str | None, info: ValidationInfo) -> str | None:
        url = agent_url or info.data.get("url")
        if url is None:
            return agent_url
        scheme = url_scheme(url)
        if scheme not in AGENT_READABLE_SCHEMES:
            raise ValueError(
                f"the in-cluster agent cannot clone a `{scheme}` URL; "
                "set `agentUrl` to an http(s):// or ssh:// URL of the same repository"
            )
        if urlsplit(url).password:
            raise ValueError("must not embed a password or token; use `credentials`")
        return agent_url

    @property
    def cluster_url(self) -> str:
        """The URL the in-cluster agent clones."""
        return self.agent_url or self.url


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

    @property
    def environment_path(self) -> str:
        """Directory of this environment in the config repo."""
        return self.repo.path or f"clusters/{self.environment}"
