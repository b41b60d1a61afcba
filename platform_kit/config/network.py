"""Deadlines of the seed's network operations (git://, http(s)://, ssh://)."""

from pydantic import Field

from platform_kit.config.base import Model

DEFAULT_CONNECT_TIMEOUT_SECONDS = 10.0
"""TCP connect, TLS and SSH handshake, when neither the stack file nor the environment says otherwise."""
DEFAULT_TIMEOUT_SECONDS = 120.0
"""Overall deadline of one seed, when neither the stack file nor the environment says otherwise."""


class NetworkConfig(Model):
    """Deadlines of the seed's network operations; the environment variables `PLATFORM_KIT_CONNECT_TIMEOUT` and
    `PLATFORM_KIT_NETWORK_TIMEOUT` (seconds) override them."""

    connect_timeout_seconds: float = Field(default=DEFAULT_CONNECT_TIMEOUT_SECONDS, gt=0, le=600)
    """Deadline to connect: TCP connect, TLS handshake, and SSH's connection and banner (`ConnectTimeout`)."""
    timeout_seconds: float = Field(default=DEFAULT_TIMEOUT_SECONDS, gt=0, le=3600)
    """Overall deadline of one seed or plan: every connection, read and retry; when it passes the connection is cut."""
