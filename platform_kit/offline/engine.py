"""The offline engine: run a Pulumi program under Pulumi's mock runtime and record every resource.

Used by `platform-kit render` (credential-free previews) and by the pytest plugin.
Each recorded registration keeps its parent, its dependencies (explicit `depends_on`
and those implied by inputs) and its inputs with secrets still marked as secrets.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from platform_kit.offline import fakes

SECRET_MARKER = "[secret]"
"""What a secret value becomes in plan.json and every other offline output."""

INTERNAL_INPUTS = frozenset({"__provider"})
"""Inputs that are engine plumbing, not configuration (the pickled dynamic provider)."""

STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference"
"""Type of `pulumi.StackReference`, a read whose outputs the mocks take from `RecordingMocks.stack_references`."""

RANDOM_PASSWORD_TYPE = "random:index/randomPassword:RandomPassword"
"""Type token of pulumi-random's RandomPassword, whose `result` the mocks make up."""

TLS_PRIVATE_KEY_TYPE = "tls:index/privateKey:PrivateKey"
"""Type token of pulumi-tls's PrivateKey, whose key material the mocks make up (private parts secret)."""


def with_computed(computed: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    """A resource's outputs: its inputs, plus what the provider computes, nested ones too (an EKS cluster's
    `vpcConfig.vpcId` next to the `vpcConfig` it was given); an input always wins over a computed value."""
    outputs = dict(computed)
    for key, value in inputs.items():
        nested = computed.get(key)
        outputs[key] = with_computed(nested, value) if isinstance(value, dict) and isinstance(nested, dict) else value
    return outputs


@dataclass
class Registration:
    """One resource as the program registered it."""

    urn: str
    type: str
    name: str
    parent: str | None
    dependencies: list[str]
    custom: bool
    provider: str | None
    raw_inputs: dict[str, Any] = field(repr=False)
    options: dict[str, Any] = field(default_factory=dict)
    """Replacement and retention options: deleteBeforeReplace (None: unset), replaceOnChanges,
    replacementTrigger, additionalSecretOutputs, protect, retainOnDelete."""
    ignore_changes: list[str] = field(default_factory=list)
    """Input paths Pulumi leaves alone after creation (`ignore_changes`), e.g. what GitOps owns."""

    @property
    def inputs(self) -> dict[str, Any]:
        """Inputs with secrets unwrapped (for assertions on values)."""
        return _unwrap(self.raw_inputs)

    @property
    def masked_inputs(self) -> dict[str, Any]:
        """Inputs with every secret replaced by SECRET_MARKER and engine plumbing dropped."""
        return {k: _mask(v) for k, v in self.raw_inputs.items() if k not in INTERNAL_INPUTS}

    def is_secret(self, key: str) -> bool:
        """Whether the top-level input `key` is (or contains) a secret."""
        return _contains_secret(self.raw_inputs.get(key))


def _unwrap(value: Any) -> Any:
    if rpc.is_rpc_secret(value):
        return _unwrap(rpc.unwrap_rpc_secret(value))
    if isinstance(value, dict):
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def _mask(value: Any) -> Any:
    if rpc.is_rpc_secret(value):
        return SECRET_MARKER
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def _contains_secret(value: Any) -> bool:
    if rpc.is_rpc_secret(value):
        return True
    if isinstance(value, dict):
        return any(_contains_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secret(v) for v in value)
    return False


def mock_id(name: str) -> str:
    """The id the recording mocks give the resource named `name` (what other resources' inputs refer to)."""
    return f"{name}-id"


def fake_password(name: str, length: int) -> str:
    """Deterministic stand-in (hex digits) for the `result` of the RandomPassword named `name`."""
    digest = ""
    while len(digest) < length:
        digest += hashlib.sha256(f"platform-kit-mock:{name}:{len(digest)}".encode()).hexdigest()
    return digest[:length]


@dataclass(frozen=True)
class StackOutputs:
    """What a referenced stack exports, as a `pulumi.StackReference` sees it under the mocks."""

    outputs: dict[str, Any]
    """Output name -> value."""
    secret: tuple[str, ...] = ()
    """Names of the outputs the referenced stack marked secret."""


class RecordingMocks(pulumi.runtime.Mocks):
    """Mocks that echo inputs as outputs (secrets stay secret) plus placeholder computed outputs."""

    def __init__(self, stack_references: dict[str, StackOutputs] | None = None):
        super().__init__()
        self.stack_references: dict[str, StackOutputs] = dict(stack_references or {})
        """Fully qualified stack name -> its outputs, for `pulumi.StackReference` reads."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if args.typ == STACK_REFERENCE_TYPE:
            name = str(args.inputs.get("name") or args.resource_id)
            found = self.stack_references.get(name, StackOutputs({}))
            secret = sorted(found.secret)
            return name, {"name": name, "outputs": dict(found.outputs), "secret_output_names": secret}
        outputs = with_computed(fakes.computed_outputs(args.typ, args.name, args.inputs), args.inputs)
        if args.typ == RANDOM_PASSWORD_TYPE:
            # The real provider returns `result` as a secret; so must the mock, or secrecy is untestable.
            outputs["result"] = rpc.wrap_rpc_secret(fake_password(args.name, int(args.inputs.get("length") or 16)))
        if args.typ == TLS_PRIVATE_KEY_TYPE:
            # Real pulumi-tls marks the private key outputs secret (additional_secret_outputs, ignored by mocks).
            for key, value in fakes.private_key_outputs(args.name).items():
                outputs[key] = rpc.wrap_rpc_secret(value) if key.startswith("privateKey") else value
        return mock_id(args.name), outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
        return fakes.invoke_result(args.token, args.args), []


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Mock monitor that also records parent and dependency URNs of each registration."""

    def __init__(self, mocks: pulumi.runtime.Mocks):
        super().__init__(mocks)
        self.registrations: list[Registration] = []
        self._worker_loops: set[asyncio.AbstractEventLoop] = set()

    def _track_worker_loop(self) -> None:
        """Give this executor thread a usable event loop and remember it for close()."""
        if threading.current_thread() is threading.main_thread():
            return
        loop = _ensure_event_loop()
        if loop.is_closed():  # closed by an earlier run in this process
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
        self._worker_loops.add(loop)

    def Invoke(self, request):  # noqa: N802 (gRPC method name)
        self._track_worker_loop()
        return super().Invoke(request)

    def ReadResource(self, request):  # noqa: N802 (gRPC method name)
        self._track_worker_loop()  # StackReference is a read
        return super().ReadResource(request)

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        # The mock runs in executor threads and gives each one an event loop; track them
        # so close() can shut them down instead of leaving them to interpreter teardown.
        self._track_worker_loop()
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(
                Registration(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent or None,
                    dependencies=sorted(set(request.dependencies)),
                    custom=bool(request.custom),
                    provider=request.provider or None,
                    raw_inputs=rpc.deserialize_properties(request.object),
                    ignore_changes=list(request.ignoreChanges),
                    options=_options(request),
                )
            )
        return response

    def close(self) -> None:
        """Close the event loops the mock created in worker threads."""
        for loop in self._worker_loops:
            if not loop.is_running() and not loop.is_closed():
                loop.close()
        self._worker_loops.clear()


def _options(request: Any) -> dict[str, Any]:
    trigger = None
    if request.HasField("replacement_trigger"):
        trigger = _unwrap(rpc.deserialize_property(json_format.MessageToDict(request.replacement_trigger)))
    return {
        "deleteBeforeReplace": request.deleteBeforeReplace if request.deleteBeforeReplaceDefined else None,
        "replaceOnChanges": sorted(request.replaceOnChanges),
        "replacementTrigger": trigger,
        "additionalSecretOutputs": sorted(request.additionalSecretOutputs),
        "protect": bool(request.protect),
        "retainOnDelete": bool(request.retainOnDelete),
    }


_RECORDING: contextvars.ContextVar[bool] = contextvars.ContextVar("platform_kit_offline", default=False)


def is_offline() -> bool:
    """True while a program runs under this offline engine (secrets may be placeholders)."""
    return _RECORDING.get()


def install(
    project: str,
    stack: str,
    config: dict[str, str] | None = None,
    secret_keys: list[str] | None = None,
    stack_references: dict[str, StackOutputs] | None = None,
) -> RecordingMonitor:
    """Point the Pulumi runtime at a fresh recording mock engine (a new root stack)."""
    pulumi_settings.ROOT.set(None)
    monitor = RecordingMonitor(RecordingMocks(stack_references))
    pulumi.runtime.set_mocks(monitor.mocks, project=project, stack=stack, preview=False, monitor=monitor)
    pulumi.runtime.set_all_config(dict(config or {}), list(secret_keys or []))
    return monitor


def run_program(
    program: Callable[[], Any],
    *,
    project: str,
    stack: str,
    config: dict[str, str] | None = None,
    secret_keys: list[str] | None = None,
    stack_references: dict[str, StackOutputs] | None = None,
) -> list[Registration]:
    """Run `program` to completion under the recording engine and return what it registered."""
    monitor = install(project, stack, config, secret_keys, stack_references)
    token = _RECORDING.set(True)
    try:
        with cyclic_gc_paused(), no_source_positions():
            _sync_await(run_pulumi_func(program))
    finally:
        _RECORDING.reset(token)
        monitor.close()
    return monitor.registrations


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration of a program run.

    A run allocates mostly objects that live until it ends (resources, outputs, futures, rendered
    files); the collector's full passes kept re-walking that growing heap and took about a third of
    a 500-team render while freeing almost nothing (peak memory grows ~6% without them). Reference
    counting still frees everything acyclic; the collector resumes, with its normal schedule, after.

    Before it resumes, everything the run left is moved to the oldest generation without a pass
    (`gc.freeze()` then `gc.unfreeze()`): otherwise the first young-generation collections re-walk
    the whole run's heap once more (a tenth of a 500-team render). A later full collection still
    frees any cycle among those objects.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


@contextmanager
def no_source_positions() -> Iterator[None]:
    """Skip the SDK's stack walk per registration while a program runs under the mock monitor.

    Pulumi's SDK sends every registration the Python stack that made it (file URI and line of each
    frame) for the engine to show where a resource was declared. The mock monitors (Pulumi's and the
    recorder) never read it, and the walk costs in proportion to the depth of the stack: through the
    CLI, the stack program and the components about 36 frames a resource, 8% of a 500-team render.
    The SDK then sends an empty trace and no source position. Restored after the run; left alone when
    this SDK has no such function.
    """
    original = getattr(pulumi_resource, "_get_stack_trace", None)
    empty = getattr(getattr(pulumi_resource, "source_pb2", None), "StackTrace", None)
    if original is None or empty is None:
        yield
        return
    pulumi_resource._get_stack_trace = empty
    try:
        yield
    finally:
        pulumi_resource._get_stack_trace = original


def wait_for_registrations() -> None:
    """Block until every outstanding registration of the current program has completed."""
    _sync_await(run_pulumi_func(lambda: None))


def children_of(registrations: list[Registration], parent_urn: str) -> Iterator[Registration]:
    """Registrations whose parent is `parent_urn`."""
    return (r for r in registrations if r.parent == parent_urn)
