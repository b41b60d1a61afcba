"""The config repo the agent watches and the seed writes to, and its credentials."""

from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator

from platform_kit.config.base import (
    AGENT_READABLE_SCHEMES,
    AgentRepoUrl,
    EnvVarName,
    Model,
    RepoPath,
    RepoUrl,
    check_branch_name,
    check_environment_path,
    url_scheme,
)
from platform_kit.config.github import GitHubConfig, github_coordinates, github_ssh_url
from platform_kit.config.network import NetworkConfig


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
    def _exactly_one_source(self) -> "TokenCredentials":
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
    def _exactly_one_source(self) -> "SshCredentials":
        if (self.private_key is None) == (self.private_key_env is None):
            raise ValueError("set exactly one of `privateKey` or `privateKeyEnv`")
        return self


Credentials = Annotated[NoCredentials | TokenCredentials | SshCredentials, Field(discriminator="kind")]
"""How the seed and the agent authenticate to the config repo."""


class ConfigRepoConfig(Model):
    """The Git repository the agent watches and the seed writes to."""

    url: RepoUrl
    """Where the seed publishes: a local path, `file://`, `git://`, `http(s)://`, `ssh://` or `user@host:path` URL
    (scp-style is stored as `ssh://`); never user info over http(s), a password, a query or a fragment."""
    agent_url: AgentRepoUrl | None = Field(default=None, validate_default=True)
    """URL the in-cluster agent clones (http(s)://, ssh:// or `user@host:path`); defaults to `url`."""
    branch: str = Field(default="main", pattern=r"^[A-Za-z0-9._/-]+$")
    """Branch the agent follows and the seed commits to."""
    path: RepoPath | None = None
    """Directory of this environment in the repo; defaults to `clusters/<environment>`."""
    credentials: Credentials = NoCredentials(kind="none")
    """Credentials for the seed and the agent; secrets never enter the repo."""
    github: GitHubConfig | None = None
    """Manage the repo on GitHub (deploy key for the agent, protection, webhook, pull requests); unset: any Git host."""
    network: NetworkConfig | None = None
    """Deadlines of the seed's network operations; unset: connect 10 s, overall 120 s (or the environment's)."""

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
        return agent_url

    @field_validator("credentials")
    @classmethod
    def _ssh_remote_needs_ssh_credentials(cls, credentials: Credentials, info: ValidationInfo) -> Credentials:
        if url_scheme(info.data.get("url", "")) == "ssh" and credentials.kind != "ssh":
            raise ValueError(
                f"`url` is an SSH remote (`ssh://` or `user@host:path`), which `kind: {credentials.kind}` cannot "
                "log in to: use `kind: ssh` (privateKey or privateKeyEnv, knownHosts), or an https:// `url`"
            )
        return credentials

    @model_validator(mode="after")
    def _ssh_agent_url_needs_a_key(self) -> "ConfigRepoConfig":
        ssh_agent_url = self.agent_url is not None and url_scheme(self.agent_url) == "ssh"
        if ssh_agent_url and self.github is None and self.credentials.kind != "ssh":
            raise ValueError(
                f"`agentUrl` is an SSH remote, but the agent would get `credentials.kind: {self.credentials.kind}`: "
                "use `kind: ssh` (the agent clones with that key), or an http(s):// `agentUrl`"
            )
        return self

    @field_validator("github")
    @classmethod
    def _github_fits(cls, github: GitHubConfig | None, info: ValidationInfo) -> GitHubConfig | None:
        if github is None:
            return None
        if "url" in info.data:
            github_coordinates(info.data["url"])
        credentials = info.data.get("credentials")
        if credentials is not None and credentials.kind != "token":
            raise ValueError("needs `credentials.kind: token` (the token pushes the seed and calls the GitHub API)")
        agent_url = info.data.get("agent_url")
        if agent_url and url_scheme(agent_url) != "ssh":
            raise ValueError("the agent reads with a deploy key: `agentUrl` must be an ssh:// URL (or unset)")
        return github

    @field_validator("branch")
    @classmethod
    def _git_accepts_branch(cls, branch: str) -> str:
        return check_branch_name(branch)

    @field_validator("path")
    @classmethod
    def _outside_the_layout(cls, path: str | None) -> str | None:
        return None if path is None else check_environment_path(path)

    @property
    def cluster_url(self) -> str:
        """The URL the in-cluster agent clones (with `github`: the SSH URL its deploy key works with)."""
        if self.agent_url is None and self.github is not None:
            return github_ssh_url(self.url)
        return self.agent_url or self.url
