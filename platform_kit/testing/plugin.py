"""pytest plugin (entry point `pytest11`): Pulumi mocks per test, recorded registrations, git servers.

Fixtures:
- `pulumi_recorder`: a fresh recording mock engine; build components, then query what they registered
  (`stack_reference(name, outputs)` stands in for another stack's outputs).
- `git_daemon`, `git_http_server`, `git_ssh_server`: real git servers on 127.0.0.1
  (see platform_kit.testing.git_server).
- `fake_github_api`: a recording fake of GitHub's REST API on 127.0.0.1 (pull requests).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
from pulumi.runtime.sync_await import _sync_await

from platform_kit.offline import engine
from platform_kit.testing.git_server import git_daemon, git_http_server, git_ssh_server  # noqa: F401 (re-exported fixtures)
from platform_kit.testing.github_api import fake_github_api  # noqa: F401 (re-exported fixture)


class PulumiRecorder:
    """Queries over the resources registered since the fixture installed the mocks."""

    def __init__(self, monitor: engine.RecordingMonitor):
        self._monitor = monitor

    @property
    def registrations(self) -> list[engine.Registration]:
        """Every registration, after waiting for outstanding ones to finish."""
        engine.wait_for_registrations()
        return list(self._monitor.registrations)

    def find(self, type_: str | None = None, name: str | None = None) -> list[engine.Registration]:
        """Registrations matching a type token and/or a logical name."""
        return [
            r for r in self.registrations if (type_ is None or r.type == type_) and (name is None or r.name == name)
        ]

    def get(self, type_: str | None = None, name: str | None = None) -> engine.Registration:
        """The single registration matching; fails the test listing what exists otherwise."""
        found = self.find(type_, name)
        if len(found) != 1:
            known = "\n  ".join(f"{r.type} {r.name}" for r in self.registrations)
            pytest.fail(f"expected one resource type={type_} name={name}, found {len(found)}; registered:\n  {known}")
        return found[0]

    def inputs(self, type_: str | None = None, name: str | None = None) -> dict[str, Any]:
        """Inputs (secrets unwrapped) of the single matching registration."""
        return self.get(type_, name).inputs

    def parent_of(self, registration: engine.Registration) -> engine.Registration | None:
        """The registration of a resource's parent (None for children of the stack)."""
        return next((r for r in self.registrations if r.urn == registration.parent), None)

    def stack_reference(self, name: str, outputs: dict[str, Any], secret: tuple[str, ...] = ()) -> None:
        """Make `pulumi.StackReference(name)` see `outputs` (`secret`: the names the referenced stack keeps secret)."""
        self._monitor.mocks.stack_references[name] = engine.StackOutputs(dict(outputs), tuple(secret))

    @staticmethod
    def resolve(output: Any) -> tuple[Any, bool]:
        """(value, is_secret) of an Output or plain value."""
        out = pulumi.Output.from_input(output)
        return _sync_await(out.future()), bool(_sync_await(out.is_secret()))


@pytest.fixture
def pulumi_recorder() -> Iterator[PulumiRecorder]:
    """Install a fresh recording mock engine (project `test`, stack `test`) for one test."""
    monitor = engine.install(project="test", stack="test")
    yield PulumiRecorder(monitor)
    engine.wait_for_registrations()
    monitor.close()
