"""Turn the config repo's credential reference into concrete credentials (at the edge)."""

from __future__ import annotations

from collections.abc import Mapping

from platform_kit.config.loaders import OPAQUE_SECRET
from platform_kit.config.models import Credentials, SshCredentials, TokenCredentials
from platform_kit.publish import GitAuth


class CredentialError(Exception):
    """A credential reference that cannot be resolved; the message names the field, never a value."""


def _secret_from(value, env_name: str | None, environ: Mapping[str, str], field: str, offline: bool) -> str:
    if env_name is not None:
        resolved = environ.get(env_name)
        if resolved:
            return resolved
        if offline:
            return OPAQUE_SECRET
        raise CredentialError(f"platform.repo.credentials.{field}Env: environment variable {env_name} is not set")
    secret = value.get_secret_value()
    if secret == OPAQUE_SECRET and not offline:
        raise CredentialError(
            f"platform.repo.credentials.{field} is a Pulumi secret that cannot be decrypted offline; "
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
