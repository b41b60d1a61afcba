"""Turn the config repo's credential reference into concrete credentials (at the edge)."""

from __future__ import annotations

from collections.abc import Mapping

from platform_kit.config.gitops import ArgoCdConfig, GitopsConfig
from platform_kit.config.loaders import OPAQUE_SECRET
from platform_kit.config.models import Credentials, SshCredentials, TokenCredentials
from platform_kit.publish import GitAuth


class CredentialError(Exception):
    """A credential reference that cannot be resolved; the message names the field, never a value."""


def _secret_from(
    value,
    env_name: str | None,
    environ: Mapping[str, str],
    field: str,
    offline: bool,
    where: str = "platform.repo.credentials",
) -> str:
    if env_name is not None:
        resolved = environ.get(env_name)
        if resolved:
            return resolved
        if offline:
            return OPAQUE_SECRET
        raise CredentialError(f"{where}.{field}Env: environment variable {env_name} is not set")
    secret = value.get_secret_value()
    if secret == OPAQUE_SECRET and not offline:
        raise CredentialError(
            f"{where}.{field} is a Pulumi secret that cannot be decrypted offline; "
            f"set `{field}Env` to an environment variable that holds it"
        )
    return secret


def resolve_git_auth(credentials: Credentials, environ: Mapping[str, str], *, offline: bool = False) -> GitAuth | None:
    """GitAuth for the seed and the agent, or None when the repo needs no credentials.

    `offline` (an offline render) accepts secrets that cannot be read here and
    stands in OPAQUE_SECRET for them; every real use needs the actual values.
    """
    if isinstance(credentials, TokenCredentials):
        token = _secret_from(credentials.token, credentials.token_env, environ, "token", offline)
        return GitAuth(username=credentials.username, token=token)
    if isinstance(credentials, SshCredentials):
        key = _secret_from(credentials.private_key, credentials.private_key_env, environ, "privateKey", offline)
        return GitAuth(ssh_private_key=key, known_hosts=credentials.known_hosts)
    return None


def flux_secret_data(auth: GitAuth) -> dict[str, str]:
    """Keys of the Secret Flux's GitRepository reads (`secretRef`) for these credentials."""
    if auth.ssh_private_key is not None:
        return {"identity": auth.ssh_private_key, "known_hosts": auth.known_hosts or ""}
    return {"username": auth.username or "git", "password": auth.token or ""}


def argocd_secret_data(auth: GitAuth, url: str) -> dict[str, str]:
    """Keys of Argo CD's repository Secret (`argocd.argoproj.io/secret-type: repository`) for `url`.

    Host keys are not here: Argo CD reads them from `argocd-ssh-known-hosts-cm` (chart values).
    """
    data = {"type": "git", "url": url}
    if auth.ssh_private_key is not None:
        return data | {"sshPrivateKey": auth.ssh_private_key}
    return data | {"username": auth.username or "git", "password": auth.token or ""}


def resolve_sso_client_secret(gitops: GitopsConfig, environ: Mapping[str, str], *, offline: bool = False) -> str | None:
    """The OIDC client secret of an Argo CD with SSO (None without SSO); resolved at the edge like Git credentials."""
    if not isinstance(gitops, ArgoCdConfig) or gitops.sso is None:
        return None
    sso = gitops.sso
    return _secret_from(
        sso.client_secret, sso.client_secret_env, environ, "clientSecret", offline, "platform.gitops.sso"
    )


def resolve_notification_url(notifications, environ: Mapping[str, str], *, offline: bool = False) -> str | None:
    """The agent notifications' webhook URL (a secret), or None when notifications are off."""
    if notifications is None:
        return None
    return _secret_from(
        notifications.webhook_url,
        notifications.webhook_url_env,
        environ,
        "webhookUrl",
        offline,
        where="platform.services.observability.notifications",
    )
