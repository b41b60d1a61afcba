"""Pulumi's own dynamic-provider host (`python -m pulumi.dynamic`) driven over gRPC the way the engine drives it.

`ProviderHost` serves a minimal Engine gRPC service on 127.0.0.1 (the host's logging
address), starts the host in a fresh process, reads its port from stdout and calls
Configure, Check, Diff, Create, Update, Read and Delete. Properties go in as structs built
by `pulumi.runtime.rpc`; values wrapped by `secret()` are marked secret and, as the engine
does for a provider that answered Configure with `acceptSecrets=False`, unwrapped before
they are sent. Every response is kept as text (`responses`) and so is the host's stdout and
stderr (`output()`), so a test can show where a secret came back (`responses`: (method, text)). A failed call raises
`HostError` with the whole text the engine would receive.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.dynamic.dynamic import ResourceProvider, serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime._serialization import _serialize
from pulumi.runtime.proto import engine_pb2_grpc, provider_pb2, provider_pb2_grpc

from platform_kit.testing.git_server import stop_process

PROVIDER_KEY = "__provider"
"""Where a dynamic resource carries its serialised provider."""


def provider_string(provider: ResourceProvider) -> str:
    """`__provider` exactly as `pulumi.dynamic.Resource.__init__` serialises it (dill, base64)."""
    serialized, _ = _serialize(True, serialize_provider, provider)
    return serialized


def secret(value: Any) -> dict[str, Any]:
    """`value` marked secret, as the engine holds a secret input."""
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


def strip_secrets(value: Any) -> Any:
    """`value` with every secret marker removed (what the engine sends a provider that does not accept secrets)."""
    if rpc.is_rpc_secret(value):
        return strip_secrets(value["value"])
    if isinstance(value, Mapping):
        return {key: strip_secrets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [strip_secrets(item) for item in value]
    return value


def to_struct(props: Mapping[str, Any], accept_secrets: bool) -> struct_pb2.Struct:
    """A properties struct built by `rpc.serialize_properties`, secrets unwrapped unless the provider accepts them."""
    plain = dict(props) if accept_secrets else strip_secrets(props)
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(rpc.serialize_properties(plain, {}))
    finally:
        loop.close()


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    """Properties of a response struct as plain Python values."""
    return rpc.deserialize_properties(struct, keep_unknowns=True)


class HostError(Exception):
    """A call the host failed; `details` is the whole text the engine receives."""

    def __init__(self, method: str, code: grpc.StatusCode, details: str) -> None:
        super().__init__(f"{method} failed ({code.name}):\n{details}")
        self.method, self.code, self.details = method, code, details


class _Engine(engine_pb2_grpc.EngineServicer):
    """The engine's logging service: records what the provider logs."""

    def __init__(self) -> None:
        self.logs: list[str] = []

    def Log(self, request: Any, context: Any) -> empty_pb2.Empty:  # noqa: N802 - gRPC method name
        self.logs.append(request.message)
        return empty_pb2.Empty()


@dataclass(frozen=True)
class Diff:
    """A Diff response, decoded."""

    changes: str
    """`DIFF_NONE`, `DIFF_SOME` or `DIFF_UNKNOWN`."""
    replaces: tuple[str, ...]
    """Properties that force a replacement."""


class ProviderHost:
    """One `python -m pulumi.dynamic` process and the engine-side stubs to call it."""

    def __init__(self, cwd: str | Path | None = None, start_timeout: float = 30.0) -> None:
        self.cwd = cwd
        self.start_timeout = start_timeout
        self.engine = _Engine()
        self.responses: list[tuple[str, str]] = []
        self.accept_secrets = False
        self._dir = tempfile.TemporaryDirectory(prefix="pk-dynamic-host-")
        self._stdout = Path(self._dir.name) / "stdout"
        self._stderr = Path(self._dir.name) / "stderr"
        self._server: grpc.Server | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self.stub: provider_pb2_grpc.ResourceProviderStub | None = None

    def start(self) -> ProviderHost:
        """Serve the engine service, start the host with its address, connect to the port it prints."""
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        engine_pb2_grpc.add_EngineServicer_to_server(self.engine, self._server)
        engine_port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()
        with self._stdout.open("wb") as out, self._stderr.open("wb") as err:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "pulumi.dynamic", f"127.0.0.1:{engine_port}"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                cwd=self.cwd,
            )
        port = self._wait_for_port()
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(self._channel).result(timeout=self.start_timeout)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self._channel)
        return self

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            first = self._stdout.read_bytes().split(b"\n", 1)
            if len(first) == 2:
                return int(first[0])
            if self._proc is not None and self._proc.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError(f"the dynamic provider host did not start:\n{self.output()}")

    def output(self) -> str:
        """Everything the host printed (stdout, then stderr)."""
        return self._stdout.read_text("utf-8", "replace") + self._stderr.read_text("utf-8", "replace")

    def stop(self) -> None:
        """Close the channel, stop the host process and the engine service."""
        if self._channel is not None:
            self._channel.close()
        if self._proc is not None:
            stop_process(self._proc)
        if self._server is not None:
            self._server.stop(0)
        self._dir.cleanup()

    def __enter__(self) -> ProviderHost:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _call(self, method: str, request: Any) -> Any:
        assert self.stub is not None, "start() the host first"
        try:
            response = getattr(self.stub, method)(request, timeout=120)
        except grpc.RpcError as error:
            details = error.details() or ""
            self.responses.append((method, details))
            raise HostError(method, error.code(), details) from None
        self.responses.append((method, json_format.MessageToJson(response)))
        return response

    def _struct(self, props: Mapping[str, Any]) -> struct_pb2.Struct:
        return to_struct(props, self.accept_secrets)

    def configure(self, variables: Mapping[str, str] | None = None) -> provider_pb2.ConfigureResponse:
        """Configure as the engine does; remembers whether the host accepts secrets."""
        request = provider_pb2.ConfigureRequest(
            variables=dict(variables or {}),
            args=self._struct({}),
            acceptSecrets=True,
            acceptResources=True,
        )
        response = self._call("Configure", request)
        self.accept_secrets = response.acceptSecrets
        return response

    def check(self, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        """Check: the provider's canonical inputs and its failures."""
        request = provider_pb2.CheckRequest(urn=urn, olds=self._struct(olds), news=self._struct(news))
        response = self._call("Check", request)
        return from_struct(response.inputs), list(response.failures)

    def diff(
        self, id_: str, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any], old_inputs: Mapping[str, Any]
    ) -> Diff:
        """Diff of the stored outputs (`olds`) against new inputs."""
        request = provider_pb2.DiffRequest(
            id=id_, urn=urn, olds=self._struct(olds), news=self._struct(news), old_inputs=self._struct(old_inputs)
        )
        response = self._call("Diff", request)
        return Diff(provider_pb2.DiffResponse.DiffChanges.Name(response.changes), tuple(response.replaces))

    def create(self, urn: str, props: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """Create: the new id and outputs."""
        response = self._call("Create", provider_pb2.CreateRequest(urn=urn, properties=self._struct(props)))
        return response.id, from_struct(response.properties)

    def update(
        self, id_: str, urn: str, olds: Mapping[str, Any], news: Mapping[str, Any], old_inputs: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Update: the new outputs."""
        request = provider_pb2.UpdateRequest(
            id=id_, urn=urn, olds=self._struct(olds), news=self._struct(news), old_inputs=self._struct(old_inputs)
        )
        return from_struct(self._call("Update", request).properties)

    def read(
        self, id_: str, urn: str, props: Mapping[str, Any], inputs: Mapping[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        """Read (refresh): the id and the refreshed outputs."""
        request = provider_pb2.ReadRequest(id=id_, urn=urn, properties=self._struct(props), inputs=self._struct(inputs))
        response = self._call("Read", request)
        return response.id, from_struct(response.properties)

    def delete(self, id_: str, urn: str, props: Mapping[str, Any], old_inputs: Mapping[str, Any]) -> None:
        """Delete with the stored outputs."""
        request = provider_pb2.DeleteRequest(
            id=id_, urn=urn, properties=self._struct(props), old_inputs=self._struct(old_inputs)
        )
        self._call("Delete", request)
